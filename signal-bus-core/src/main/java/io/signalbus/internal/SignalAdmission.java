package io.signalbus.internal;

import io.signalbus.InvalidSignalException;
import io.signalbus.PublishInterceptor;
import io.signalbus.Signal;
import io.signalbus.SignalTooLargeException;
import io.signalbus.store.SignalSize;
import io.signalbus.json.SignalJson;
import io.signalbus.store.UndecodableSignals;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

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

    /** Measures the whole signal, not just {@code data}: a huge subject or extension costs the log as much. */
    private void checkSize(Signal signal) {
        long size = SignalSize.of(signal, signal.dataJson(codec.mapper()));
        if (size > maxPayloadSize) {
            throw new SignalTooLargeException("signal " + signal.id() + " of type '" + signal.type() + "' is "
                    + size + " bytes (data, attributes and extensions); bus '" + busName + "' allows at most "
                    + maxPayloadSize + " (signal-bus.max-payload-size)");
        }
    }
}
