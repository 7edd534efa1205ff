package io.signalbus.json;

import io.signalbus.InvalidSignalException;
import io.signalbus.Signal;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks, before a signal is written, that its envelope keeps to {@link SignalJson#READ_LIMITS}, so
 * that whatever is appended can be read back.
 */
final class ReadBack {

    /**
     * Fewer bytes of data JSON than this cannot break the limits: nesting takes two bytes a level, a
     * number or a name one byte a character, and a string more bytes than characters.
     */
    private static final int SHORTEST_UNREADABLE = Math.min(2 * (SignalJson.READ_LIMITS.getMaxNestingDepth() - 1),
            Math.min(SignalJson.READ_LIMITS.getMaxNumberLength(), SignalJson.READ_LIMITS.getMaxNameLength()));

    private ReadBack() {
    }

    /** See {@link SignalJson#requireReadable}; {@code mapper} encodes the data, {@code parsers} reads it with the limits. */
    static void require(Signal signal, JsonMapper mapper, JsonMapper parsers) {
        requireStringLength(signal, "source", signal.source());
        requireStringLength(signal, "subject", signal.subject());
        requireStringLength(signal, "datacontenttype", signal.datacontenttype());
        requireStringLength(signal, "dataschema", signal.dataschema());
        for (var extension : signal.extensions().entrySet()) {
            requireStringLength(signal, "extension '" + extension.getKey() + "'", extension.getValue().toString());
        }
        Object data = signal.data();
        if (data == null || data instanceof byte[]) {
            return;
        }
        if (data instanceof String text && !SignalJson.isJson(signal.datacontenttype())) {
            requireStringLength(signal, "data", text);
            return;
        }
        byte[] json = Objects.requireNonNull(signal.dataJson(mapper));
        if (json.length < SHORTEST_UNREADABLE) {
            return; // too short to break any limit: most signals never pay for the token pass below
        }
        try (JsonParser parser = parsers.createParser(json)) {
            // the parser checks name and number lengths as it reads tokens; string lengths only when a
            // string is read as a whole, and depth from the data's own top: both are checked here
            int depth = 1; // the envelope object
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (token.isStructStart() && ++depth > SignalJson.READ_LIMITS.getMaxNestingDepth()) {
                    throw unreadable(signal, "data is nested deeper than " + (SignalJson.READ_LIMITS.getMaxNestingDepth() - 1)
                            + " levels (the envelope's limit is " + SignalJson.READ_LIMITS.getMaxNestingDepth() + ")");
                } else if (token.isStructEnd()) {
                    depth--;
                } else if (token == JsonToken.VALUE_STRING
                        && parser.getStringLength() > SignalJson.READ_LIMITS.getMaxStringLength()) {
                    throw unreadable(signal, "data has a string of " + parser.getStringLength()
                            + " characters; at most " + SignalJson.READ_LIMITS.getMaxStringLength() + " can be read back");
                }
            }
        } catch (JacksonException e) {
            throw unreadable(signal, e.getOriginalMessage());
        }
    }

    private static void requireStringLength(Signal signal, String attribute, @Nullable String value) {
        if (value != null && value.length() > SignalJson.READ_LIMITS.getMaxStringLength()) {
            throw unreadable(signal, attribute + " is " + value.length() + " characters long; at most "
                    + SignalJson.READ_LIMITS.getMaxStringLength() + " can be read back");
        }
    }

    private static InvalidSignalException unreadable(Signal signal, String limit) {
        return new InvalidSignalException("signal " + signal.id() + " (type '" + signal.type()
                + "') would not read back from the log: " + limit);
    }
}
