package io.signalbus.json;

import static io.signalbus.SignalBusException.quote;

import io.signalbus.DataConversionException;
import io.signalbus.InvalidSignalException;
import io.signalbus.Signal;
import io.signalbus.SignalSerializationException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.AnnotationIntrospector;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.introspect.NopAnnotationIntrospector;
import tools.jackson.databind.json.JsonMapper;

/**
 * Encodes signals in the CloudEvents 1.0 JSON structured format (the durable log's format) and decodes
 * them back. Attributes and extensions are top-level members; {@code data} is a JSON value when the
 * content type is JSON ({@code application/json}, {@code text/json}, {@code *}{@code /*+json} or none), a
 * JSON string when a {@code String} has another content type, and {@code data_base64} for {@code byte[]}
 * (other data with a content type that is not JSON is refused when the signal is built).
 *
 * <p>Decoding requires {@code id}, {@code source}, {@code type} and {@code specversion} 1.0, reads an absent
 * {@code datacontenttype} as {@code application/json} (for {@code data_base64} too, as the format says) and
 * refuses a leap second ({@code :60}), which an {@link Instant} cannot hold.
 * Decoding yields data as plain JSON values (maps, lists, strings, numbers, booleans) or {@code byte[]},
 * the time as an {@link Instant}, and extensions as strings, booleans and integers: a URI or Instant
 * extension comes back as its string, a small {@code Long} as an {@code Integer}. Instances are
 * thread-safe.
 */
public final class SignalJson {

    /**
     * The limits a signal must keep for the log to read it back: JSON nesting depth 500 (the envelope
     * object counts as one level), property names of 50,000 characters, numbers of 1,000 digits and
     * strings of 100,000,000 characters (Jackson 3's read defaults, pinned here). The decoder reads with
     * them and {@link #requireReadable} checks them before a signal is written: whatever is appended can
     * be read back.
     */
    public static final StreamReadConstraints READ_LIMITS = StreamReadConstraints.builder()
            .maxNestingDepth(500)
            .maxNameLength(50_000)
            .maxNumberLength(1_000)
            .maxStringLength(100_000_000)
            .build();

    private static final JsonMapper DEFAULT_MAPPER = withRequiredComponents(JsonMapper.builder(
                    JsonFactory.builder().streamReadConstraints(READ_LIMITS).build())
            .disable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            // a bean without properties would be stored as {} and its state silently lost
            .enable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .build());

    private static final String JSON_CONTENT_TYPE = "application/json";

    private final JsonMapper mapper;

    /** A codec on {@link #defaultMapper()}. */
    public SignalJson() {
        this(DEFAULT_MAPPER);
    }

    /**
     * A codec on the given mapper (in a Spring Boot application, the application's {@code JsonMapper}):
     * the one mapper that serialises data into the log ({@link Signal#dataJson(ObjectMapper)}), reads it
     * back and converts it to the types handlers ask for ({@link #convertData}), so that a naming strategy
     * or module of the application applies both ways. It is used with one addition: a record component
     * absent from the data is a {@link DataConversionException}, never a null, unless the component is
     * {@code @Nullable} or an {@code Optional}. Decoding reads with the stream read constraints of its
     * factory: give it {@link #READ_LIMITS} (or wider), or signals {@link #requireReadable} accepts may not
     * read back (Jackson's defaults are these limits).
     */
    public SignalJson(JsonMapper mapper) {
        this.mapper = withRequiredComponents(Objects.requireNonNull(mapper, "mapper"));
    }

    private static JsonMapper withRequiredComponents(JsonMapper mapper) {
        AnnotationIntrospector existing = mapper.deserializationConfig().getAnnotationIntrospector();
        AnnotationIntrospector paired = RequiredComponents.pairedWith(
                existing != null ? existing : NopAnnotationIntrospector.instance);
        return paired == existing ? mapper : mapper.rebuild().annotationIntrospector(paired).build();
    }

    /**
     * The shared mapper for signal data when the application gives none: java.time values as ISO-8601
     * strings, unknown properties ignored and absent record components rejected (unless {@code @Nullable}
     * or {@code Optional}) when converting data, beans without properties rejected rather than written as
     * {@code {}}.
     */
    public static JsonMapper defaultMapper() {
        return DEFAULT_MAPPER;
    }

    /** The mapper this codec serialises, reads and converts data with. */
    public JsonMapper mapper() {
        return mapper;
    }

    /**
     * The signal as a CloudEvents JSON object.
     *
     * @throws SignalSerializationException when the data cannot be serialised
     */
    public String encode(Signal signal) {
        StringWriter out = new StringWriter(256);
        try (JsonGenerator json = mapper.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringProperty("specversion", signal.specversion());
            json.writeStringProperty("id", signal.id());
            json.writeStringProperty("source", signal.source());
            json.writeStringProperty("type", signal.type());
            writeIfSet(json, "subject", signal.subject());
            Instant time = signal.time();
            if (time != null) {
                json.writeStringProperty("time", time.toString());
            }
            writeIfSet(json, "datacontenttype", signal.datacontenttype());
            writeIfSet(json, "dataschema", signal.dataschema());
            for (var extension : signal.extensions().entrySet()) {
                writeExtension(json, extension.getKey(), extension.getValue());
            }
            writeData(json, signal);
            json.writeEndObject();
        } catch (JacksonException e) {
            throw new SignalSerializationException("signal " + signal.id() + " (type '" + signal.type()
                    + "') cannot be encoded as JSON: " + e.getOriginalMessage(), e);
        }
        return out.toString();
    }

    private static void writeIfSet(JsonGenerator json, String name, @Nullable String value) {
        if (value != null) {
            json.writeStringProperty(name, value);
        }
    }

    private static void writeExtension(JsonGenerator json, String name, Object value) {
        json.writeName(name);
        if (value instanceof Boolean b) {
            json.writeBoolean(b);
        } else if (value instanceof Integer i) {
            json.writeNumber(i);
        } else if (value instanceof Long l) {
            json.writeNumber(l);
        } else {
            // String, URI and Instant: the JSON format carries them as strings (Instant.toString is RFC 3339)
            json.writeString(value.toString());
        }
    }

    private void writeData(JsonGenerator json, Signal signal) {
        Object data = signal.data();
        if (data == null) {
            return;
        }
        if (data instanceof byte[] bytes) {
            json.writeName("data_base64");
            json.writeBinary(bytes);
        } else if (data instanceof String text && !isJson(signal.datacontenttype())) {
            json.writeStringProperty("data", text);
        } else {
            json.writeName("data");
            json.writeRawValue(new String(Objects.requireNonNull(signal.dataJson(mapper)), StandardCharsets.UTF_8));
        }
    }

    /**
     * The signal's data as {@code target}, converted with {@code mapper}; the one conversion behind
     * {@link Signal#dataAs} and {@code @SignalListener} payloads (see {@link DataConversion}).
     *
     * @return null when there is no data; the data itself when it already is a {@code target}
     * @throws DataConversionException naming the signal, the target and the reason, e.g. the property
     *         a record component has no value for
     */
    public static @Nullable Object convertData(Signal signal, JavaType target, ObjectMapper mapper) {
        return DataConversion.convert(signal, target, mapper);
    }

    /**
     * True when a content type means {@code data} is JSON: none, {@code application/json}, {@code text/json}
     * or any {@code +json} suffix, parameters ignored.
     */
    public static boolean isJson(@Nullable String datacontenttype) {
        if (datacontenttype == null) {
            return true;
        }
        int parameters = datacontenttype.indexOf(';');
        String mediaType = (parameters < 0 ? datacontenttype : datacontenttype.substring(0, parameters))
                .trim().toLowerCase(Locale.ROOT);
        return mediaType.equals("application/json") || mediaType.equals("text/json") || mediaType.endsWith("+json");
    }

    /**
     * Checks that the signal's envelope, as this codec writes it, keeps to {@link #READ_LIMITS}, so that
     * it can be read back once written: nesting depth, name and number length in {@code data} (which sits
     * one level down in the envelope), and the length of every string, attributes and extensions included.
     * {@code byte[]} data needs no check: base64 is read without a length limit.
     *
     * @throws InvalidSignalException naming the signal and the limit it breaks
     * @throws SignalSerializationException when the data cannot be serialised
     */
    public void requireReadable(Signal signal) {
        ReadBack.require(signal, mapper, DEFAULT_MAPPER);
    }

    /**
     * The signal a CloudEvents JSON object describes; accepts everything {@link #encode} writes.
     *
     * @throws InvalidSignalException when the JSON is malformed, is not a CloudEvents 1.0 object, or an
     *         attribute is invalid
     */
    public Signal decode(String json) {
        try (JsonParser parser = mapper.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new InvalidSignalException("signal JSON must be an object, was " + describe(parser.currentToken()));
            }
            Signal signal = readSignal(parser);
            if (parser.nextToken() != null) {
                throw new InvalidSignalException("signal JSON has content after the object: "
                        + describe(parser.currentToken()));
            }
            return signal;
        } catch (JacksonException e) {
            throw new InvalidSignalException("malformed signal JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static Signal readSignal(JsonParser parser) {
        Signal.Builder builder = Signal.builder("");
        String id = null;
        String type = null;
        String datacontenttype = null;
        String specversion = null;
        boolean hasData = false;
        boolean hasDataBase64 = false;
        while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = parser.currentName();
            JsonToken token = parser.nextToken();
            if (token == JsonToken.VALUE_NULL) {
                continue;
            }
            switch (name) {
                case "specversion" -> specversion = string(parser, name);
                case "id" -> id = string(parser, name);
                case "source" -> builder.source(string(parser, name));
                case "type" -> type = string(parser, name);
                case "subject" -> builder.subject(string(parser, name));
                case "time" -> builder.time(instant(string(parser, name)));
                case "datacontenttype" -> datacontenttype = string(parser, name);
                case "dataschema" -> builder.dataschema(string(parser, name));
                case "data" -> {
                    hasData = true;
                    builder.data(token == JsonToken.VALUE_STRING ? parser.getString() : parser.readValueAs(Object.class));
                }
                case "data_base64" -> {
                    hasDataBase64 = true;
                    if (token != JsonToken.VALUE_STRING) {
                        throw new InvalidSignalException("data_base64 must be a base64 string, was " + describe(token));
                    }
                    builder.data(parser.getBinaryValue());
                }
                default -> builder.extension(name, extensionValue(parser, name, token));
            }
        }
        if (!Signal.SPEC_VERSION.equals(specversion)) {
            throw new InvalidSignalException(specversion == null ? "specversion is required"
                    : "specversion " + quote(specversion) + " is not supported; only " + Signal.SPEC_VERSION + " is");
        }
        if (hasData && hasDataBase64) {
            throw new InvalidSignalException("signal JSON has both data and data_base64; at most one is allowed");
        }
        if (id == null) {
            // a decode must not invent one: every read of the same envelope would get another id
            throw new InvalidSignalException("id is required");
        }
        if (type == null) {
            throw new InvalidSignalException("type is required");
        }
        if (datacontenttype == null && hasDataBase64) {
            // the JSON format reads an absent datacontenttype as application/json, data_base64 included
            datacontenttype = JSON_CONTENT_TYPE;
        }
        return builder.id(id).type(type).datacontenttype(datacontenttype).build();
    }

    private static String string(JsonParser parser, String name) {
        if (parser.currentToken() != JsonToken.VALUE_STRING) {
            throw new InvalidSignalException("attribute '" + name + "' must be a string, was "
                    + describe(parser.currentToken()));
        }
        return parser.getString();
    }

    private static Instant instant(String time) {
        TemporalAccessor parsed;
        try {
            // ISO_INSTANT reads any offset (JDK 12+) and covers the whole Instant range, unlike OffsetDateTime
            parsed = DateTimeFormatter.ISO_INSTANT.parse(time);
        } catch (DateTimeParseException e) {
            throw new InvalidSignalException("time " + quote(time) + " is not an RFC 3339 timestamp: " + e.getMessage(), e);
        }
        if (Boolean.TRUE.equals(parsed.query(DateTimeFormatter.parsedLeapSecond()))) {
            // ISO_INSTANT would read second 60 as 59: an Instant has no leap seconds, and a silently
            // moved time is worse than a refused one
            throw new InvalidSignalException("time " + quote(time) + " is a leap second, which an Instant cannot"
                    + " hold; it is not read as second 59");
        }
        return Instant.from(parsed);
    }

    private static Object extensionValue(JsonParser parser, String name, JsonToken token) {
        return switch (token) {
            case VALUE_STRING -> parser.getString();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            // Integer or Long as it fits; larger values are left to the builder to reject
            case VALUE_NUMBER_INT -> parser.getNumberValue();
            default -> throw new InvalidSignalException("extension '" + name
                    + "' must be a string, an integer or a boolean, was " + describe(token));
        };
    }

    private static String describe(@Nullable JsonToken token) {
        if (token == null) {
            return "nothing";
        }
        return switch (token) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a decimal number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> token.name();
        };
    }
}
