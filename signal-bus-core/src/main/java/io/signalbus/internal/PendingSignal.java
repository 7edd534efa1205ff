package io.signalbus.internal;

import io.signalbus.RecordedSignal;
import io.signalbus.store.SignalSize;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * A matching signal a persistent subscription has taken from the log and not yet settled (acked or
 * dead-lettered). Guarded by its worker's lock.
 */
final class PendingSignal {

    /** {@code BLOCKED}: an older signal of its key is not settled yet (a partitioned subscription only). */
    enum State { READY, BLOCKED, IN_FLIGHT, WAITING, SETTLING, SETTLED }

    final RecordedSignal recorded;
    /** The log position and signal time just before this one: the checkpoint while this is pending. */
    final long previousPosition;
    final @Nullable Instant previousTime;
    /** A dead letter put back for delivery: it sits below the checkpoint, outside the pending window. */
    final boolean redrive;
    /** Its {@link SignalSize}, counted against the ledger's byte bound. */
    final long bytes;

    State state = State.READY;
    int attempts;
    long deliverySequence;
    @Nullable Instant deadline;
    @Nullable Instant retryAt;
    @Nullable Throwable lastFailure;
    /** Its partition key, in a partitioned subscription ({@link KeyOrder}); null otherwise. */
    @Nullable String key;

    PendingSignal(RecordedSignal recorded, long previousPosition, @Nullable Instant previousTime, boolean redrive) {
        this.recorded = recorded;
        this.previousPosition = previousPosition;
        this.previousTime = previousTime;
        this.redrive = redrive;
        this.bytes = SignalSize.estimate(recorded.signal());
    }

    long position() {
        return recorded.position();
    }

    String signalId() {
        return recorded.signal().id();
    }
}
