package io.signalbus;

import java.time.Instant;
import java.util.Objects;

/**
 * A signal as appended to a bus log.
 *
 * @param position   its place in the bus log: 1 for the first signal, strictly increasing
 * @param signal     the signal as published (its time stamped by the bus if it had none)
 * @param recordedAt when the bus appended it (the bus clock); replay {@code since} and
 *                   {@code StartFrom.at} compare against this
 */
public record RecordedSignal(long position, Signal signal, Instant recordedAt) {

    public RecordedSignal {
        if (position < 1) {
            throw new IllegalArgumentException("position must be >= 1, was " + position);
        }
        Objects.requireNonNull(signal, "signal");
        Objects.requireNonNull(recordedAt, "recordedAt");
    }
}
