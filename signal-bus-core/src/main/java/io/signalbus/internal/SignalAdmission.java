package io.signalbus.internal;

import io.signalbus.InvalidSignalException;
import io.signalbus.PublishInterceptor;
import io.signalbus.Signal;
import io.signalbus.SignalTooLargeException;
import io.signalbus.json.SignalJson;
import io.signalbus.store.UndecodableSignals;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Makes the signals of one publish ready to append, before anything is written: runs the publish
 * interceptors, stamps a time on signals without one, and refuses nulls, the reserved placeholder type,
 * oversized signals and signals the log could not read back.
 */
final class SignalAdmission {

    private final String busName;
    private final List<PublishInterceptor> interceptors;
    private final int maxPayloadSize;
    private final SignalJson codec;

    SignalAdmission(String busName, List<PublishInterceptor> interceptors, int maxPayloadSize, SignalJson codec) {
        this.busName = busName;
        this.interceptors = interceptors;
        this.maxPayloadSize = maxPayloadSize;
        this.codec = codec;
    }

    /** The signals as they will be appended; throws on the first that cannot be, so none is written. */
    List<Signal> admit(List<Signal> signals, Instant now) {
        var prepared = new ArrayList<Signal>(signals.size());
        for (int i = 0; i < signals.size(); i++) {
            Signal signal = signals.get(i);
            if (signal == null) {
                throw new InvalidSignalException("signal " + i + " of " + signals.size() + " is null");
            }
            for (PublishInterceptor interceptor : interceptors) {
                signal = Objects.requireNonNull(interceptor.beforePublish(busName, signal),
                        () -> "publish interceptor " + interceptor + " returned null");
            }
            if (signal.time() == null) {
                signal = signal.withTime(now);
            }
            if (UndecodableSignals.TYPE.equals(signal.type())) {
                // readers dead-letter this type on sight: published, it would never reach a handler
                throw new InvalidSignalException("signal " + signal.id() + ": type '" + UndecodableSignals.TYPE
                        + "' is reserved for log rows the store cannot decode");
            }
            checkSize(signal);
            codec.requireReadable(signal);
            prepared.add(signal);
        }
        return prepared;
    }

    /**
     * Measures the whole envelope, not just {@code data}: a huge subject or extension costs the log as
     * much as huge data. The measure is the data's JSON plus every attribute and extension (names and
     * values) in UTF-8, without the JSON punctuation: close to the envelope's size, without encoding it
     * twice.
     */
    private void checkSize(Signal signal) {
        byte[] data = signal.dataJson(codec.mapper());
        long size = data == null ? 0 : data.length;
        size += utf8Length(signal.id()) + utf8Length(signal.source()) + utf8Length(signal.type())
                + utf8Length(signal.subject()) + utf8Length(signal.datacontenttype())
                + utf8Length(signal.dataschema()) + (signal.time() == null ? 0 : signal.time().toString().length());
        for (var extension : signal.extensions().entrySet()) {
            size += utf8Length(extension.getKey()) + utf8Length(extension.getValue().toString());
        }
        if (size > maxPayloadSize) {
            throw new SignalTooLargeException("signal " + signal.id() + " of type '" + signal.type() + "' is "
                    + size + " bytes (data, attributes and extensions); bus '" + busName + "' allows at most "
                    + maxPayloadSize + " (signal-bus.max-payload-size)");
        }
    }

    private static long utf8Length(@Nullable String text) {
        if (text == null) {
            return 0;
        }
        long length = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            // a surrogate pair is 4 bytes: 2 for each half
            length += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
        }
        return length;
    }
}
