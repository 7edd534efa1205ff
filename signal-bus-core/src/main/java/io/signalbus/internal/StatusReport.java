package io.signalbus.internal;

import io.signalbus.BusStatus;
import io.signalbus.Checkpoint;
import io.signalbus.PartitionStatus;
import io.signalbus.SubscriptionState;
import io.signalbus.SubscriptionStatus;
import io.signalbus.store.Lease;
import io.signalbus.store.SignalStore;
import io.signalbus.store.SubscriptionRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The status of one bus as this process sees it: every stored persistent subscription (with the live
 * checkpoint where this process serves it) and the transient ones. A partitioned subscription is one
 * entry: its checkpoint is the lowest of its partitions', its in-flight count and dead letters their
 * sums, and each partition is listed with its owner and epoch as the store has them.
 */
final class StatusReport {

    private StatusReport() {
    }

    static BusStatus of(SignalStore store, String busName, PersistentWorkers workers, TransientRouter transients,
            Instant now) {
        List<SubscriptionRecord> records = store.subscriptions(busName);
        Map<String, SubscriptionRecord> byId = byId(records);
        // one read for every partition's claim, however many there are (none without partitions)
        Map<String, Lease> live = records.stream().anyMatch(r -> r.partitions() > 1)
                ? store.currentClaims(busName, now) : Map.of();
        var seen = new ArrayList<Seen>();
        for (SubscriptionRecord record : records) {
            if (!Partitions.isPartition(record.subscriptionId())) {
                SubscriptionWorkers worker = workers.get(record.subscriptionId());
                List<Checkpoint> checkpoints = checkpointsOf(byId, record, worker);
                List<@Nullable Lease> claims = record.partitions() == 1 ? List.of()
                        : SubscriptionRecords.storeIds(record).stream().map(live::get).toList();
                seen.add(new Seen(record, worker, checkpoints, claims));
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
            var partitions = new ArrayList<PartitionStatus>();
            for (int i = 0; i < s.claims().size(); i++) {
                @Nullable Lease claim = s.claims().get(i);
                Checkpoint checkpoint = s.checkpoints().get(i);
                partitions.add(new PartitionStatus(i, claim != null ? claim.owner() : null,
                        claim != null ? claim.epoch() : 0, checkpoint, head - checkpoint.position(),
                        worker != null ? inFlight(worker.workers().get(i)) : 0));
            }
            Checkpoint lowest = SubscriptionRecords.lowest(s.checkpoints());
            int inFlight = worker == null ? 0
                    : worker.workers().stream().mapToInt(StatusReport::inFlight).sum();
            statuses.add(new SubscriptionStatus(s.record().subscriptionId(), s.record().pattern(), true, state,
                    lowest, head, head - lowest.position(), inFlight, DeadLetters.count(store, s.record()),
                    worker != null ? lastError(worker) : null, partitions));
        }
        statuses.addAll(transients.statuses(head));
        return new BusStatus(busName, head, statuses, store.oldestUnsequenced(busName).orElse(null));
    }

    private static int inFlight(PersistentSubscriptionWorker worker) {
        return worker.isClaimed() ? worker.inFlightCount() : 0;
    }

    /** The checkpoint of a subscription: live where this process serves it (a partition), else stored. */
    static Checkpoint checkpointOf(SignalStore store, SubscriptionRecord record, @Nullable SubscriptionWorkers worker) {
        // one read for every partition's record, however many there are
        Map<String, SubscriptionRecord> byId = record.partitions() > 1 ? byId(store.subscriptions(record.busName()))
                : Map.of();
        return SubscriptionRecords.lowest(checkpointsOf(byId, record, worker));
    }

    private static Map<String, SubscriptionRecord> byId(List<SubscriptionRecord> records) {
        Map<String, SubscriptionRecord> byId = new HashMap<>();
        records.forEach(r -> byId.put(r.subscriptionId(), r));
        return byId;
    }

    /** The checkpoint of each record of the subscription (its own, or each partition's). */
    private static List<Checkpoint> checkpointsOf(Map<String, SubscriptionRecord> stored, SubscriptionRecord record,
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
        return checkpoints;
    }

    private static @Nullable String lastError(SubscriptionWorkers worker) {
        return worker.workers().stream().map(w -> w.trouble().lastError())
                .filter(e -> e != null).findFirst().orElse(null);
    }

    /** One subscription as read before the head: a checkpoint and (when partitioned) a claim per partition. */
    private record Seen(SubscriptionRecord record, @Nullable SubscriptionWorkers worker, List<Checkpoint> checkpoints,
            List<@Nullable Lease> claims) {
    }
}
