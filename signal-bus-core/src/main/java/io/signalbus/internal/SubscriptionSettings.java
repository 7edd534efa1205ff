package io.signalbus.internal;

import io.signalbus.Checkpoint;
import io.signalbus.PartitionKey;
import io.signalbus.RetryPolicy;
import io.signalbus.StartFrom;
import io.signalbus.SubscribeOptions;
import io.signalbus.SubscriptionDefaults;
import io.signalbus.store.SubscriptionRecord;
import java.time.Duration;
import java.time.Instant;

/**
 * How one persistent subscription is served, every setting resolved: what its options set, else the
 * bus defaults. The stored ones ({@code maxInFlight}, {@code maxAttempts}, {@code ackTimeout},
 * {@code priority}) travel in its {@link SubscriptionRecord}; the failure policy's backoff and the
 * concurrency are this process's.
 */
record SubscriptionSettings(int maxInFlight, int maxAttempts, Duration ackTimeout, int priority, StartFrom startFrom,
        RetryPolicy retry, int concurrency, int partitions, PartitionKey partitionKey) {

    /** The settings of a subscribe call. */
    static SubscriptionSettings resolve(SubscribeOptions options, SubscriptionDefaults defaults) {
        return new SubscriptionSettings(
                options.maxInFlight() != null ? options.maxInFlight() : defaults.maxInFlight(),
                options.maxAttempts() != null ? options.maxAttempts() : defaults.maxAttempts(),
                options.ackTimeout() != null ? options.ackTimeout() : defaults.ackTimeout(),
                options.priority(),
                options.startFrom() != null ? options.startFrom() : defaults.startFrom(),
                options.retry() != null ? options.retry() : defaults.retry(),
                options.concurrency(),
                options.partitions(),
                options.partitionKey());
    }

    /** The settings of a subscription reconnected without options: as stored, with the bus's backoff. */
    static SubscriptionSettings stored(SubscriptionRecord record, SubscriptionDefaults defaults) {
        return new SubscriptionSettings(record.maxInFlight(), record.maxAttempts(), record.ackTimeout(),
                record.priority(), defaults.startFrom(), defaults.retry(), 1, record.partitions(),
                PartitionKey.subject());
    }

    /** A new subscription's record, starting at {@code start}. */
    SubscriptionRecord newRecord(String busName, String subscriptionId, String pattern, Checkpoint start,
            Instant createdAt) {
        return new SubscriptionRecord(busName, subscriptionId, pattern, start, maxInFlight, maxAttempts, ackTimeout,
                priority, createdAt, partitions);
    }

    /** The record of partition {@code partition} of a partitioned subscription, starting as its parent did. */
    static SubscriptionRecord partitionRecord(SubscriptionRecord parent, int partition) {
        return new SubscriptionRecord(parent.busName(), Partitions.storeId(parent.subscriptionId(), partition),
                parent.pattern(), parent.checkpoint(), parent.maxInFlight(), parent.maxAttempts(), parent.ackTimeout(),
                parent.priority(), parent.createdAt(), 1);
    }

    /** {@code stored} with these settings, where they differ from what it holds; {@code stored} itself if not. */
    SubscriptionRecord applyTo(SubscriptionRecord stored) {
        if (stored.maxInFlight() == maxInFlight && stored.maxAttempts() == maxAttempts
                && stored.ackTimeout().equals(ackTimeout) && stored.priority() == priority) {
            return stored;
        }
        return new SubscriptionRecord(stored.busName(), stored.subscriptionId(), stored.pattern(), stored.checkpoint(),
                maxInFlight, maxAttempts, ackTimeout, priority, stored.createdAt(), stored.partitions());
    }
}
