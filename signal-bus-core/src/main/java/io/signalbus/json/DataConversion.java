package io.signalbus.json;

import io.signalbus.DataConversionException;
import io.signalbus.Signal;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectMapper;

/** Converts a signal's data to the type a handler asks for, with the codec's mapper. */
final class DataConversion {

    private DataConversion() {
    }

    /**
     * The signal's data as {@code target}, converted with {@code mapper}; the one conversion behind
     * {@link Signal#dataAs} and {@code @SignalListener} payloads. {@code byte[]} data (from
     * {@code data_base64}) is read by its content type: parsed as JSON when it is JSON, decoded as text
     * (the {@code charset} parameter, else UTF-8) for a {@code String} target when it is {@code text/*} or
     * names a charset.
     *
     * @return null when there is no data; the data itself when it already is a {@code target}
     * @throws DataConversionException naming the signal, the target and the reason, e.g. the property
     *         a record component has no value for
     */
    static @Nullable Object convert(Signal signal, JavaType target, ObjectMapper mapper) {
        Object data = signal.data();
        if (data == null || (!target.hasGenericTypes() && target.getRawClass().isInstance(data))) {
            return data;
        }
        String contentType = signal.datacontenttype();
        try {
            if (data instanceof byte[] bytes) {
                if (SignalJson.isJson(contentType)) {
                    return mapper.readValue(bytes, target);
                }
                Charset charset = textCharset(contentType);
                if (charset != null && target.getRawClass() == String.class) {
                    return new String(bytes, charset);
                }
            }
            return mapper.convertValue(data, target);
        } catch (JacksonException | IllegalArgumentException e) {
            throw new DataConversionException(signal.id(), signal.type(), target.getRawClass(), reason(e), e);
        }
    }

    private static String reason(RuntimeException e) {
        String message = e instanceof JacksonException jackson ? jackson.getOriginalMessage() : e.getMessage();
        if (message == null) {
            return e.getClass().getSimpleName();
        }
        String line = message.lines().findFirst().orElse(message);
        return line.startsWith("Missing required creator property")
                ? line + " (the data has no such property; a record component may be absent only when it is"
                        + " @Nullable or an Optional)"
                : line;
    }

    /** The charset of text data: the {@code charset} parameter, else UTF-8 for {@code text/*}; null when not text. */
    private static @Nullable Charset textCharset(@Nullable String datacontenttype) {
        if (datacontenttype == null) {
            return null;
        }
        String[] parts = datacontenttype.split(";");
        for (int i = 1; i < parts.length; i++) {
            String parameter = parts[i].trim();
            if (parameter.regionMatches(true, 0, "charset=", 0, 8)) {
                try {
                    return Charset.forName(parameter.substring(8).replace("\"", "").trim());
                } catch (IllegalArgumentException e) {
                    return null; // an unknown charset: leave the bytes as they are
                }
            }
        }
        return parts[0].trim().regionMatches(true, 0, "text/", 0, 5) ? StandardCharsets.UTF_8 : null;
    }
}
