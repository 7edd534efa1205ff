package io.signalbus;

import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Observes what a bus does, for metrics and logs; every method has a no-op default. Methods are
 * called on the bus's own threads (publisher, dispatcher or acking thread): keep them fast and
 * never throw (an exception is logged and ignored).
 */
public interface SignalBusListener {

    /** A no-op listener. */
    SignalBusListener NONE = new SignalBusListener() {
    };

    /** Signals were committed to the log (called after commit, before subscribers are woken). */
    default void published(String busName, List<RecordedSignal> signals) {
    }

    /** A delivery is about to be handed to a subscription's handler. */
    default void delivering(String busName, Delivery delivery, RecordedSignal recorded) {
    }

    /** A handler returned or threw ({@code failure} non-null) after {@code duration}. */
    default void handled(String busName, Delivery delivery, Duration duration, @Nullable Throwable failure) {
    }

    /** A persistent delivery was acked. */
    default void acked(String busName, String subscriptionId, long position, int attempt) {
    }

    /** A persistent delivery failed: a nack or a handler exception. */
    default void nacked(String busName, String subscriptionId, long position, int attempt, Throwable reason) {
    }

    /** A persistent delivery was not acked within the ack timeout. */
    default void timedOut(String busName, String subscriptionId, long position, int attempt) {
    }

    /** A signal exhausted its attempts and was stored as a dead letter. */
    default void deadLettered(String busName, DeadLetter deadLetter) {
    }

    /** Dead letters were put back for redelivery. */
    default void redriven(String busName, String subscriptionId, int count) {
    }

    /** A checkpoint was written to the store. */
    default void checkpointed(String busName, String subscriptionId, Checkpoint checkpoint) {
    }
}
