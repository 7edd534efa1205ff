package io.signalbus;

import static io.signalbus.SignalBusException.quote;

import io.signalbus.json.SignalJson;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Checks the attributes of a signal against CloudEvents 1.0 and the bus's own bounds; each check throws
 * {@link InvalidSignalException} naming the attribute, the value and the rule it breaks. The type is
 * checked by {@link io.signalbus.router.SignalTypes}.
 */
final class SignalAttributes {

    private static final Set<String> RESERVED_NAMES = Set.of("id", "source", "type", "specversion", "time",
            "subject", "datacontenttype", "dataschema", "data", "data_base64");

    /**
     * Longest extension name accepted. CloudEvents says names SHOULD NOT exceed 20 characters, not MUST
     * NOT: longer ones are valid events, so the bound is only a sanity limit.
     */
    static final int MAX_EXTENSION_NAME_LENGTH = 64;

    /** The last source that parsed as a URI-reference; a benign race only costs a re-parse. */
    private static volatile @Nullable String lastValidSource;

    private SignalAttributes() {
    }

    /** An id: a non-empty string of at most {@link Signal#MAX_ID_LENGTH} characters, no control characters. */
    static String requireId(String id) {
        if (id.isEmpty()) {
            throw new InvalidSignalException("id must not be empty");
        }
        if (id.length() > Signal.MAX_ID_LENGTH) {
            throw new InvalidSignalException("id " + quote(id) + " is " + id.length()
                    + " characters long; at most " + Signal.MAX_ID_LENGTH + " are allowed");
        }
        for (int i = 0; i < id.length(); i++) {
            if (Character.isISOControl(id.charAt(i))) {
                throw new InvalidSignalException("id " + quote(id) + " has a control character at index " + i
                        + "; CloudEvents strings must not contain any");
            }
        }
        return id;
    }

    /** A source: a non-empty URI-reference. */
    static String requireSource(@Nullable String source) {
        if (source == null) {
            throw new InvalidSignalException("source is required");
        }
        if (source.isBlank()) {
            throw new InvalidSignalException("source " + quote(source) + " must not be blank");
        }
        if (source.equals(lastValidSource)) {
            return source; // most applications publish from one or a few sources: skip the URI parse
        }
        try {
            new URI(source);
        } catch (URISyntaxException e) {
            throw new InvalidSignalException("source " + quote(source) + " is not a valid URI-reference: "
                    + e.getMessage(), e);
        }
        lastValidSource = source;
        return source;
    }

    /** Subject, datacontenttype and dataschema, each when set. */
    static void requireOptional(@Nullable String subject, @Nullable String datacontenttype,
            @Nullable String dataschema) {
        if (subject != null && subject.isEmpty()) {
            throw new InvalidSignalException("subject must not be empty when set");
        }
        if (datacontenttype != null && datacontenttype.isBlank()) {
            throw new InvalidSignalException("datacontenttype " + quote(datacontenttype)
                    + " must not be blank when set");
        }
        if (dataschema != null) {
            requireDataschema(dataschema);
        }
    }

    /**
     * Data that the JSON format can carry under its content type: with a content type that is not JSON,
     * only text ({@code String}, written as a JSON string) or bytes ({@code data_base64}); other readers
     * refuse an event whose non-JSON data is an object, array, number or boolean.
     */
    static void requireDataFitsContentType(@Nullable Object data, @Nullable String datacontenttype) {
        if (data != null && !(data instanceof String) && !(data instanceof byte[])
                && !SignalJson.isJson(datacontenttype)) {
            throw new InvalidSignalException("data of type " + data.getClass().getName() + " cannot be sent as "
                    + "datacontenttype " + quote(datacontenttype) + ", which is not JSON: give a String or byte[]"
                    + " for it, or a JSON content type");
        }
    }

    private static void requireDataschema(String dataschema) {
        URI uri;
        try {
            uri = new URI(dataschema);
        } catch (URISyntaxException e) {
            throw new InvalidSignalException("dataschema " + quote(dataschema) + " is not a valid URI: "
                    + e.getMessage(), e);
        }
        if (!uri.isAbsolute()) {
            throw new InvalidSignalException("dataschema " + quote(dataschema)
                    + " must be an absolute URI (with a scheme)");
        }
    }

    /** The extensions as an unmodifiable map in the given order, each name and value checked. */
    static Map<String, Object> requireExtensions(Map<String, @Nullable Object> extensions) {
        if (extensions.isEmpty()) {
            return Map.of();
        }
        Map<String, Object> valid = new LinkedHashMap<>();
        extensions.forEach((name, value) -> valid.put(requireExtensionName(name), requireExtensionValue(name, value)));
        return Collections.unmodifiableMap(valid);
    }

    private static String requireExtensionName(@Nullable String name) {
        if (name == null) {
            throw new InvalidSignalException("extension name must not be null");
        }
        if (RESERVED_NAMES.contains(name)) {
            throw new InvalidSignalException("extension name '" + name
                    + "' is reserved for the CloudEvents attribute of that name");
        }
        boolean valid = !name.isEmpty() && name.length() <= MAX_EXTENSION_NAME_LENGTH
                && name.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
        if (!valid) {
            throw new InvalidSignalException("extension name " + quote(name) + " must be 1 to "
                    + MAX_EXTENSION_NAME_LENGTH + " characters of a-z and 0-9 (CloudEvents attribute naming)");
        }
        return name;
    }

    private static Object requireExtensionValue(String name, @Nullable Object value) {
        if (value == null) {
            throw new InvalidSignalException("extension '" + name + "' has a null value; leave it out instead");
        }
        if (value instanceof Long l && (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE)) {
            throw new InvalidSignalException("extension '" + name + "' is " + l + ", outside the 32-bit range of"
                    + " the CloudEvents Integer type (other readers reject the whole event); pass it as a String");
        }
        if (value instanceof String || value instanceof Boolean || value instanceof Integer
                || value instanceof Long || value instanceof URI || value instanceof Instant) {
            return value;
        }
        throw new InvalidSignalException("extension '" + name + "' has a value of type " + value.getClass().getName()
                + " (" + quote(String.valueOf(value)) + "); allowed are String, Boolean, Integer, Long (32-bit"
                + " values), URI and Instant");
    }
}
