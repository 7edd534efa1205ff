package io.signalbus;

import java.time.Instant;
import java.util.Objects;

/**
 * A signal as appended to a bus log.
 *
 * @param position   its place in the bus log: 1 for the first signal, strictly increasing; or
 *                   {@value #UNASSIGNED} when it is not known yet: what {@link SignalBus#publish}
 *                   returns inside the application's transaction on a store that assigns positions
 *                   after that transaction commits (the JDBC store), and what transient subscriptions
 *                   of such a publish see. Persistent subscriptions, reads and replays always see the
 *                   position in the log
 * @param signal     the signal as published (its time stamped by the bus if it had none)
 * @param recordedAt when the bus appended it (the bus clock); replay {@code since} and
 *                   {@code StartFrom.at} compare against this
 */
public record RecordedSignal(long position, Signal signal, Instant recordedAt) {

    /** The position of a signal that gets its place in the log only after its transaction commits. */
    public static final long UNASSIGNED = 0;

    public RecordedSignal {
        if (position < UNASSIGNED) {
            throw new IllegalArgumentException("position must be >= 1, or 0 while unassigned; was " + position);
        }
        Objects.requireNonNull(signal, "signal");
        Objects.requireNonNull(recordedAt, "recordedAt");
    }

    /** Whether {@link #position} is the signal's place in the log (false: {@value #UNASSIGNED}, assigned after commit). */
    public boolean positionAssigned() {
        return position != UNASSIGNED;
    }
}
