package io.signalbus.store;

import io.signalbus.Checkpoint;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The stored state of a persistent subscription: enough to reconnect it without the options it
 * was created with.
 *
 * @param busName        the bus whose log it reads
 * @param subscriptionId its stable id
 * @param pattern        the pattern it matches; fixed for the life of the subscription
 * @param checkpoint     the last flushed low-water mark
 * @param maxInFlight    resolved settings, as of the last subscribe
 * @param createdAt      when it was first created
 * @param partitions     how many partitions it is split into; fixed at creation. 1: not partitioned, this
 *     record is served. Above 1 this record holds the settings only, and each partition is stored as a
 *     record of its own, with id {@code <subscriptionId>/<n>} (n from 0) and {@code partitions} 1
 */
public record SubscriptionRecord(String busName, String subscriptionId, String pattern, Checkpoint checkpoint,
        int maxInFlight, int maxAttempts, Duration ackTimeout, int priority, Instant createdAt, int partitions) {

    public SubscriptionRecord {
        Objects.requireNonNull(busName, "busName");
        Objects.requireNonNull(subscriptionId, "subscriptionId");
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(ackTimeout, "ackTimeout");
        Objects.requireNonNull(createdAt, "createdAt");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1: " + partitions);
        }
    }

    /** A subscription that is not partitioned. */
    public SubscriptionRecord(String busName, String subscriptionId, String pattern, Checkpoint checkpoint,
            int maxInFlight, int maxAttempts, Duration ackTimeout, int priority, Instant createdAt) {
        this(busName, subscriptionId, pattern, checkpoint, maxInFlight, maxAttempts, ackTimeout, priority, createdAt, 1);
    }

    public SubscriptionRecord withCheckpoint(Checkpoint newCheckpoint) {
        return new SubscriptionRecord(busName, subscriptionId, pattern, newCheckpoint, maxInFlight, maxAttempts,
                ackTimeout, priority, createdAt, partitions);
    }
}
