package io.signalbus;

import org.jspecify.annotations.Nullable;

/**
 * One partition of a partitioned persistent subscription as an operator sees it.
 *
 * @param partition  its number, 0 to partitions - 1
 * @param owner      the instance whose claim on it has not ended (as the store's clock says), or null
 *                   when no instance serves it now
 * @param epoch      the epoch of that claim (0 when nobody holds one)
 * @param checkpoint its low-water mark: the live one where this instance serves it, else the stored one
 * @param lag        {@code head - checkpoint.position}, never clamped
 * @param inFlight   deliveries handed out and unacked, where this instance serves it; 0 elsewhere
 *                   (another instance's in-flight deliveries are not in the store)
 */
public record PartitionStatus(int partition, @Nullable String owner, long epoch, Checkpoint checkpoint, long lag,
        int inFlight) {
}
