package io.signalbus.internal;

import io.signalbus.BusStatus;
import io.signalbus.Checkpoint;
import io.signalbus.SubscriptionState;
import io.signalbus.SubscriptionStatus;
import io.signalbus.store.SignalStore;
import io.signalbus.store.SubscriptionRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The status of one bus as this process sees it: every stored persistent subscription (with the live
 * checkpoint where this process serves it) and the transient ones. A partitioned subscription is one
 * entry: its checkpoint is the lowest of its partitions', its in-flight count and dead letters their sum.
 */
final class StatusReport {

    private StatusReport() {
    }

    static BusStatus of(SignalStore store, String busName, PersistentWorkers workers, TransientRouter transients) {
        List<SubscriptionRecord> records = store.subscriptions(busName);
        Map<String, SubscriptionRecord> byId = new HashMap<>();
        records.forEach(r -> byId.put(r.subscriptionId(), r));
        var seen = new ArrayList<Seen>();
        for (SubscriptionRecord record : records) {
            if (!Partitions.isPartition(record.subscriptionId())) {
                SubscriptionWorkers worker = workers.get(record.subscriptionId());
                seen.add(new Seen(record, worker, checkpointOf(byId, record, worker)));
            }
        }
        // the head is read after the checkpoints, so that a live checkpoint is never above it: lag is not
        // clamped at 0, and is below 0 only when a checkpoint really is above the head (a subscription
        // created to start at a position not yet written; moves there are refused)
        long head = store.head(busName);
        var statuses = new ArrayList<SubscriptionStatus>();
        for (Seen s : seen) {
            SubscriptionWorkers worker = s.worker();
            boolean active = worker != null && worker.isClaimed();
            SubscriptionState state = worker == null ? SubscriptionState.DISCONNECTED
                    : worker.workers().stream().anyMatch(w -> w.trouble().isRecovering())
                            ? SubscriptionState.RECOVERING
                    : active ? SubscriptionState.ACTIVE : SubscriptionState.STANDBY;
            int inFlight = worker == null ? 0 : worker.workers().stream().filter(PersistentSubscriptionWorker::isClaimed)
                    .mapToInt(PersistentSubscriptionWorker::inFlightCount).sum();
            statuses.add(new SubscriptionStatus(s.record().subscriptionId(), s.record().pattern(), true, state,
                    s.checkpoint(), head, head - s.checkpoint().position(), inFlight,
                    DeadLetters.count(store, s.record()), worker != null ? lastError(worker) : null));
        }
        statuses.addAll(transients.statuses(head));
        return new BusStatus(busName, head, statuses, store.oldestUnsequenced(busName).orElse(null));
    }

    /** The checkpoint of a subscription: live where this process serves it (a partition), else stored. */
    static Checkpoint checkpointOf(SignalStore store, SubscriptionRecord record, @Nullable SubscriptionWorkers worker) {
        Map<String, SubscriptionRecord> byId = new HashMap<>();
        SubscriptionRecords.partitions(store, record).forEach(r -> byId.put(r.subscriptionId(), r));
        return checkpointOf(byId, record, worker);
    }

    private static Checkpoint checkpointOf(Map<String, SubscriptionRecord> stored, SubscriptionRecord record,
            @Nullable SubscriptionWorkers worker) {
        var checkpoints = new ArrayList<Checkpoint>();
        List<String> storeIds = SubscriptionRecords.storeIds(record);
        for (int i = 0; i < storeIds.size(); i++) {
            PersistentSubscriptionWorker partition = worker == null ? null : worker.workers().get(i);
            SubscriptionRecord partitionRecord = storeIds.get(i).equals(record.subscriptionId()) ? record
                    : stored.get(storeIds.get(i));
            checkpoints.add(partition != null && partition.isClaimed() ? partition.checkpoint()
                    : partitionRecord != null ? partitionRecord.checkpoint() : record.checkpoint());
        }
        return SubscriptionRecords.lowest(checkpoints);
    }

    private static @Nullable String lastError(SubscriptionWorkers worker) {
        return worker.workers().stream().map(w -> w.trouble().lastError())
                .filter(e -> e != null).findFirst().orElse(null);
    }

    /** One subscription as read before the head. */
    private record Seen(SubscriptionRecord record, @Nullable SubscriptionWorkers worker, Checkpoint checkpoint) {
    }
}
