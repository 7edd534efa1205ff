package io.signalbus.internal;

import io.signalbus.InvalidSignalException;
import io.signalbus.PublishInterceptor;
import io.signalbus.Signal;
import io.signalbus.SignalTooLargeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Makes the signals of one publish ready to append, before anything is written: runs the publish
 * interceptors, stamps a time on signals without one and refuses nulls and oversized data.
 */
final class SignalAdmission {

    private final String busName;
    private final List<PublishInterceptor> interceptors;
    private final int maxPayloadSize;

    SignalAdmission(String busName, List<PublishInterceptor> interceptors, int maxPayloadSize) {
        this.busName = busName;
        this.interceptors = interceptors;
        this.maxPayloadSize = maxPayloadSize;
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
            checkPayloadSize(signal);
            prepared.add(signal);
        }
        return prepared;
    }

    private void checkPayloadSize(Signal signal) {
        byte[] data = signal.dataJson();
        if (data != null && data.length > maxPayloadSize) {
            throw new SignalTooLargeException("signal " + signal.id() + " of type '" + signal.type() + "' has "
                    + data.length + " bytes of data; bus '" + busName + "' allows at most " + maxPayloadSize
                    + " (signal-bus.max-payload-size)");
        }
    }
}
