package io.signalbus;

import io.signalbus.json.SignalJson;
import io.signalbus.router.SignalTypes;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;

/**
 * An immutable CloudEvents 1.0 event. Build one with {@link #builder(String)} or {@link #of(String, String,
 * Object)}; both validate every attribute and throw {@link InvalidSignalException} naming the attribute, the
 * value and the rule it breaks.
 *
 * <p>{@code data} is held as given: pass immutable values (records, {@code Map.of}, strings). Its JSON
 * encoding ({@link #dataJson()}) is computed once and cached, so a signal's data must not change after
 * it is built. {@code byte[]} data is copied on build.
 */
public final class Signal {

    /** The CloudEvents version every signal conforms to. */
    public static final String SPEC_VERSION = "1.0";

    /** Longest id accepted; generated ids are 36 characters. */
    public static final int MAX_ID_LENGTH = 256;

    private static final String JSON_CONTENT_TYPE = "application/json";
    private static final String BINARY_CONTENT_TYPE = "application/octet-stream";

    private final String id;
    private final String source;
    private final String type;
    private final @Nullable Instant time;
    private final @Nullable String subject;
    private final @Nullable String datacontenttype;
    private final @Nullable String dataschema;
    private final @Nullable Object data;
    private final Map<String, Object> extensions;
    /** JSON of {@code data}, computed on first use; racy single-check like {@code String.hash}. */
    private volatile @Nullable EncodedData dataJson;

    private Signal(String id, String source, String type, @Nullable Instant time, @Nullable String subject,
            @Nullable String datacontenttype, @Nullable String dataschema, @Nullable Object data,
            Map<String, Object> extensions, @Nullable EncodedData dataJson) {
        this.id = id;
        this.source = source;
        this.type = type;
        this.time = time;
        this.subject = subject;
        this.datacontenttype = datacontenttype;
        this.dataschema = dataschema;
        this.data = data;
        this.extensions = extensions;
        this.dataJson = dataJson;
    }

    /** A builder for a signal of the given type; {@code source} must be set before {@link Builder#build()}. */
    public static Builder builder(String type) {
        return new Builder(type);
    }

    /**
     * A signal with a generated id and no time, subject or extensions.
     *
     * @throws InvalidSignalException when the type or source is invalid
     */
    public static Signal of(String type, String source, @Nullable Object data) {
        return builder(type).source(source).data(data).build();
    }

    /** The unique id; a UUIDv7 from {@link SignalIds} unless the publisher set one. */
    public String id() {
        return id;
    }

    /** The context in which the signal happened, a URI-reference such as {@code /orders} or {@code order_service}. */
    public String source() {
        return source;
    }

    /** The dot-separated signal type that patterns match, e.g. {@code order.created}. */
    public String type() {
        return type;
    }

    /** Always {@value #SPEC_VERSION}. */
    public String specversion() {
        return SPEC_VERSION;
    }

    /** When the signal happened; null unless set by the publisher or stamped by the bus. */
    public @Nullable Instant time() {
        return time;
    }

    /** The subject of the signal within its source, or null. */
    public @Nullable String subject() {
        return subject;
    }

    /**
     * The media type of {@code data}; when data is set and no type was given it is {@code application/json}
     * ({@code application/octet-stream} for {@code byte[]} data). Null only when there is no data.
     */
    public @Nullable String datacontenttype() {
        return datacontenttype;
    }

    /** An absolute URI of the schema {@code data} adheres to, or null. */
    public @Nullable String dataschema() {
        return dataschema;
    }

    /** The payload as given to the builder (or as decoded: maps, lists, strings, numbers, booleans, byte[]). */
    public @Nullable Object data() {
        return data;
    }

    /** Extension attributes by name, in insertion order; unmodifiable, empty when there are none. */
    public Map<String, Object> extensions() {
        return extensions;
    }

    /**
     * The data converted to {@code target} with {@link SignalJson#defaultMapper()}.
     *
     * @return null when there is no data; the data itself when it already is a {@code target}
     * @throws DataConversionException naming the signal and the target when the data does not convert
     */
    public <T> @Nullable T dataAs(Class<T> target) {
        return dataAs(target, SignalJson.defaultMapper());
    }

    /**
     * The data converted to {@code target} with the given mapper ({@link SignalJson#convertData}: bytes
     * from {@code data_base64} are read by their content type, JSON or text).
     *
     * @return null when there is no data; the data itself when it already is a {@code target}
     * @throws DataConversionException naming the signal and the target when the data does not convert
     */
    public <T> @Nullable T dataAs(Class<T> target, ObjectMapper mapper) {
        return target.cast(SignalJson.convertData(this, mapper.constructType(target), mapper));
    }

    /**
     * The UTF-8 JSON encoding of {@code data} by {@link SignalJson#defaultMapper()}.
     *
     * @see #dataJson(ObjectMapper)
     */
    public byte @Nullable [] dataJson() {
        return dataJson(SignalJson.defaultMapper());
    }

    /**
     * The UTF-8 JSON encoding of {@code data} by {@code mapper}, computed on first call and cached for the
     * last mapper asked (a bus uses one). The array is shared: read it, never modify it.
     *
     * @return null when there is no data
     * @throws SignalSerializationException naming the signal and the reason when the data cannot be
     *         serialised (a reference cycle, a bean without properties, ...)
     */
    public byte @Nullable [] dataJson(ObjectMapper mapper) {
        EncodedData encoded = dataJson;
        if (encoded != null && encoded.mapper() == mapper) {
            return encoded.json();
        }
        if (data == null) {
            return null;
        }
        byte[] json = serialise(data, mapper);
        dataJson = new EncodedData(mapper, json);
        return json;
    }

    /** The JSON of {@code data} and the mapper that wrote it. */
    private record EncodedData(ObjectMapper mapper, byte[] json) {
    }

    private byte[] serialise(Object value, ObjectMapper mapper) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JacksonException e) {
            throw new SignalSerializationException("data of signal " + id + " (type '" + type + "', "
                    + value.getClass().getName() + ") cannot be serialised to JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** This signal with {@code time} replaced; everything else, including the id, is kept. */
    public Signal withTime(Instant time) {
        Objects.requireNonNull(time, "time");
        return new Signal(id, source, type, time, subject, datacontenttype, dataschema, data, extensions, dataJson);
    }

    /** A builder holding every attribute of this signal, including its id. */
    public Builder toBuilder() {
        Builder builder = new Builder(type).id(id).source(source).time(time).subject(subject)
                .datacontenttype(datacontenttype).dataschema(dataschema).data(data);
        builder.extensions.putAll(extensions);
        return builder;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return this == o || o instanceof Signal other
                && id.equals(other.id)
                && source.equals(other.source)
                && type.equals(other.type)
                && Objects.equals(time, other.time)
                && Objects.equals(subject, other.subject)
                && Objects.equals(datacontenttype, other.datacontenttype)
                && Objects.equals(dataschema, other.dataschema)
                && Objects.deepEquals(data, other.data)
                && extensions.equals(other.extensions);
    }

    @Override
    public int hashCode() {
        int dataHash = data instanceof byte[] bytes ? Arrays.hashCode(bytes) : Objects.hashCode(data);
        return 31 * Objects.hash(id, source, type, time, subject, datacontenttype, dataschema, extensions) + dataHash;
    }

    @Override
    public String toString() {
        return "Signal[id=" + id + ", type=" + type + ", source=" + source + "]";
    }

    /** Collects the attributes of a signal; not thread-safe. {@link #build()} validates them all. */
    public static final class Builder {

        private String type;
        private @Nullable String id;
        private @Nullable String source;
        private @Nullable Instant time;
        private @Nullable String subject;
        private @Nullable String datacontenttype;
        private @Nullable String dataschema;
        private @Nullable Object data;
        private final Map<String, @Nullable Object> extensions = new LinkedHashMap<>();

        private Builder(String type) {
            this.type = type;
        }

        /** Replaces the type. */
        public Builder type(String type) {
            this.type = type;
            return this;
        }

        /** Sets the id; null (the default) generates a UUIDv7 on build. */
        public Builder id(@Nullable String id) {
            this.id = id;
            return this;
        }

        /** Sets the source, a URI-reference; required. */
        public Builder source(String source) {
            this.source = source;
            return this;
        }

        /** Sets the time; null (the default) leaves it for the bus to stamp on publish. */
        public Builder time(@Nullable Instant time) {
            this.time = time;
            return this;
        }

        /** Sets the subject; null for none. */
        public Builder subject(@Nullable String subject) {
            this.subject = subject;
            return this;
        }

        /** Sets the media type of the data; null picks the default for the data on build. */
        public Builder datacontenttype(@Nullable String datacontenttype) {
            this.datacontenttype = datacontenttype;
            return this;
        }

        /** Sets the schema of the data, an absolute URI; null for none. */
        public Builder dataschema(@Nullable String dataschema) {
            this.dataschema = dataschema;
            return this;
        }

        /** Sets the payload; null for none. */
        public Builder data(@Nullable Object data) {
            this.data = data;
            return this;
        }

        /** Adds or replaces one extension attribute. */
        public Builder extension(String name, Object value) {
            extensions.put(name, value);
            return this;
        }

        /** Replaces all extension attributes with the given ones. */
        public Builder extensions(Map<String, ?> extensions) {
            this.extensions.clear();
            this.extensions.putAll(extensions);
            return this;
        }

        /**
         * Validates the attributes and builds the signal, generating an id when none was set.
         *
         * @throws InvalidSignalException naming the first invalid attribute, its value and the rule
         */
        public Signal build() {
            SignalTypes.requireValid(type);
            String validSource = SignalAttributes.requireSource(source);
            if (id != null) {
                SignalAttributes.requireId(id);
            }
            SignalAttributes.requireOptional(subject, datacontenttype, dataschema);
            Map<String, Object> validExtensions = SignalAttributes.requireExtensions(extensions);
            SignalAttributes.requireDataFitsContentType(data, datacontenttype);
            Object payload = data instanceof byte[] bytes ? bytes.clone() : data;
            String contentType = datacontenttype != null || payload == null ? datacontenttype
                    : payload instanceof byte[] ? BINARY_CONTENT_TYPE : JSON_CONTENT_TYPE;
            return new Signal(id != null ? id : SignalIds.next(), validSource, type, time, subject, contentType,
                    dataschema, payload, validExtensions, null);
        }
    }
}
