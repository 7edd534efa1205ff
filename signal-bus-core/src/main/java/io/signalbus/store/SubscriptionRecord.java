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
 */
public record SubscriptionRecord(String busName, String subscriptionId, String pattern, Checkpoint checkpoint,
        int maxInFlight, int maxAttempts, Duration ackTimeout, int priority, Instant createdAt) {

    public SubscriptionRecord {
        Objects.requireNonNull(busName, "busName");
        Objects.requireNonNull(subscriptionId, "subscriptionId");
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(checkpoint, "checkpoint");
        Objects.requireNonNull(ackTimeout, "ackTimeout");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    public SubscriptionRecord withCheckpoint(Checkpoint newCheckpoint) {
        return new SubscriptionRecord(busName, subscriptionId, pattern, newCheckpoint, maxInFlight, maxAttempts,
                ackTimeout, priority, createdAt);
    }
}
