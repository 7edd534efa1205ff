package io.signalbus.internal;

import io.signalbus.Checkpoint;
import io.signalbus.SubscriptionConflictException;
import io.signalbus.router.SignalPattern;
import io.signalbus.store.SignalStore;
import io.signalbus.store.SubscriptionRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The stored records of a persistent subscription: its own, and for a partitioned one a record per
 * partition ({@link Partitions}) that carries the partition's checkpoint, claim, attempts and dead
 * letters. The subscription's own record then holds its settings and partition count only.
 */
final class SubscriptionRecords {

    private SubscriptionRecords() {
    }

    /**
     * The record of subscription {@code id} as {@code settings} want it: created (with its partitions)
     * if new, else checked against them (pattern and partition count are fixed) and its settings updated.
     *
     * @throws SubscriptionConflictException when the stored pattern or partition count is another
     */
    static SubscriptionRecord resolve(SignalStore store, String bus, String id, SignalPattern pattern,
            SubscriptionSettings settings, Instant now) {
        SubscriptionRecord stored = store.findSubscription(bus, id).orElseGet(() -> store.createSubscription(
                settings.newRecord(bus, id, pattern.value(), StartPoints.checkpointFor(store, bus, settings.startFrom()),
                        now)));
        if (!stored.pattern().equals(pattern.value())) {
            throw new SubscriptionConflictException("subscription '" + id + "' on bus '" + bus
                    + "' already exists with pattern '" + stored.pattern() + "'; cannot subscribe it to '"
                    + pattern.value() + "' (unsubscribe it with deletePersistence first, or choose another id)");
        }
        if (stored.partitions() != settings.partitions()) {
            // another count would move keys between partitions while their signals are in flight: order is lost
            throw new SubscriptionConflictException("subscription '" + id + "' on bus '" + bus + "' already exists"
                    + " with " + stored.partitions() + " partitions; cannot subscribe it with " + settings.partitions()
                    + " (unsubscribe it with deletePersistence first, or choose another id)");
        }
        SubscriptionRecord updated = settings.applyTo(stored);
        if (updated != stored) {
            store.updateSettings(updated);
        }
        for (SubscriptionRecord partition : partitions(store, stored)) {
            SubscriptionRecord partitionUpdated = settings.applyTo(partition);
            if (partitionUpdated != partition) {
                store.updateSettings(partitionUpdated);
            }
        }
        return updated;
    }

    /**
     * The records of the partitions of {@code record}, in partition order, creating those missing
     * (starting where the subscription started); empty when it is not partitioned.
     */
    static List<SubscriptionRecord> partitions(SignalStore store, SubscriptionRecord record) {
        var partitions = new ArrayList<SubscriptionRecord>(record.partitions());
        for (int i = 0; record.partitions() > 1 && i < record.partitions(); i++) {
            SubscriptionRecord initial = SubscriptionSettings.partitionRecord(record, i);
            partitions.add(store.findSubscription(record.busName(), initial.subscriptionId())
                    .orElseGet(() -> store.createSubscription(initial)));
        }
        return partitions;
    }

    /** The ids under which the subscription's state is stored: its own, or its partitions'. */
    static List<String> storeIds(SubscriptionRecord record) {
        if (record.partitions() == 1) {
            return List.of(record.subscriptionId());
        }
        var ids = new ArrayList<String>(record.partitions());
        for (int i = 0; i < record.partitions(); i++) {
            ids.add(Partitions.storeId(record.subscriptionId(), i));
        }
        return ids;
    }

    /** The lowest of checkpoints: everything at or below it is settled in every partition. */
    static Checkpoint lowest(List<Checkpoint> checkpoints) {
        Checkpoint lowest = checkpoints.get(0);
        for (Checkpoint checkpoint : checkpoints) {
            lowest = checkpoint.position() < lowest.position() ? checkpoint : lowest;
        }
        return lowest;
    }
}
