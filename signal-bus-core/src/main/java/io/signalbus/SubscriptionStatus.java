package io.signalbus;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One subscription as an operator sees it.
 *
 * @param id          the subscription id (generated for transient subscriptions)
 * @param pattern     the pattern it matches
 * @param persistent  whether it has a durable checkpoint
 * @param state       ACTIVE when a handler is attached in this process, DISCONNECTED otherwise
 * @param checkpoint  its low-water mark (the in-memory one when active, which may be ahead of the
 *                    last flushed one); {@link Checkpoint#ORIGIN} for transient subscriptions
 * @param head        the last position of the bus log
 * @param lag         {@code head - checkpoint.position}: log positions not yet settled (0 for transient);
 *                    never clamped, so below 0 only when the checkpoint is above the head (a subscription
 *                    created to start at a position not yet written)
 * @param inFlight    deliveries handed out and not yet acked
 * @param deadLetters dead letters waiting to be redriven or discarded
 * @param lastError   the last delivery failure ({@code Type: message}), null if none since start
 * @param partitions  each partition of a partitioned subscription, in order; empty otherwise. Its
 *                    {@code checkpoint} is then the lowest of theirs, {@code inFlight} and
 *                    {@code deadLetters} their sums
 */
public record SubscriptionStatus(String id, String pattern, boolean persistent, SubscriptionState state,
        Checkpoint checkpoint, long head, long lag, int inFlight, long deadLetters, @Nullable String lastError,
        List<PartitionStatus> partitions) {

    public SubscriptionStatus {
        partitions = List.copyOf(partitions);
    }

    /** A subscription that is not partitioned. */
    public SubscriptionStatus(String id, String pattern, boolean persistent, SubscriptionState state,
            Checkpoint checkpoint, long head, long lag, int inFlight, long deadLetters, @Nullable String lastError) {
        this(id, pattern, persistent, state, checkpoint, head, lag, inFlight, deadLetters, lastError, List.of());
    }

    /** Partitions no instance serves now (no claim whose lease has not ended); 0 when not partitioned. */
    public int unownedPartitions() {
        return (int) partitions.stream().filter(p -> p.owner() == null).count();
    }
}
