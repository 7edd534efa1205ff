package io.signalbus.internal;

import io.signalbus.BusStatus;
import io.signalbus.Checkpoint;
import io.signalbus.SubscriptionState;
import io.signalbus.SubscriptionStatus;
import io.signalbus.store.SignalStore;
import io.signalbus.store.SubscriptionRecord;
import java.util.ArrayList;
import org.jspecify.annotations.Nullable;

/**
 * The status of one bus as this process sees it: every stored persistent subscription (with the live
 * checkpoint where this process serves it) and the transient ones.
 */
final class StatusReport {

    private StatusReport() {
    }

    static BusStatus of(SignalStore store, String busName, PersistentWorkers workers, TransientRouter transients) {
        var seen = new ArrayList<Seen>();
        for (SubscriptionRecord record : store.subscriptions(busName)) {
            PersistentSubscriptionWorker worker = workers.get(record.subscriptionId());
            PersistentSubscriptionWorker active = worker != null && worker.isClaimed() ? worker : null;
            seen.add(new Seen(record, worker, active, active != null ? active.checkpoint() : record.checkpoint()));
        }
        // the head is read after the checkpoints, so that a live checkpoint is never above it: lag is not
        // clamped at 0, and is below 0 only when a checkpoint really is above the head (a subscription
        // created to start at a position not yet written; moves there are refused)
        long head = store.head(busName);
        var statuses = new ArrayList<SubscriptionStatus>();
        for (Seen s : seen) {
            PersistentSubscriptionWorker worker = s.worker();
            PersistentSubscriptionWorker active = s.active();
            SubscriptionState state = worker == null ? SubscriptionState.DISCONNECTED
                    : worker.isRecovering() ? SubscriptionState.RECOVERING
                    : active != null ? SubscriptionState.ACTIVE : SubscriptionState.STANDBY;
            statuses.add(new SubscriptionStatus(s.record().subscriptionId(), s.record().pattern(), true, state,
                    s.checkpoint(), head, head - s.checkpoint().position(), active != null ? active.inFlightCount() : 0,
                    store.countDeadLetters(busName, s.record().subscriptionId()),
                    worker != null ? worker.lastError() : null));
        }
        statuses.addAll(transients.statuses(head));
        return new BusStatus(busName, head, statuses, store.oldestUnsequenced(busName).orElse(null));
    }

    /** One subscription as read before the head. */
    private record Seen(SubscriptionRecord record, @Nullable PersistentSubscriptionWorker worker,
            @Nullable PersistentSubscriptionWorker active, Checkpoint checkpoint) {
    }
}
