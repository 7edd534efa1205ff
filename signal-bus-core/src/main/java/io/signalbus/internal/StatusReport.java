package io.signalbus.internal;

import io.signalbus.BusStatus;
import io.signalbus.Checkpoint;
import io.signalbus.SubscriptionState;
import io.signalbus.SubscriptionStatus;
import io.signalbus.store.SignalStore;
import io.signalbus.store.SubscriptionRecord;
import java.util.ArrayList;

/**
 * The status of one bus as this process sees it: every stored persistent subscription (with the live
 * checkpoint where this process serves it) and the transient ones.
 */
final class StatusReport {

    private StatusReport() {
    }

    static BusStatus of(SignalStore store, String busName, PersistentWorkers workers, TransientRouter transients) {
        long head = store.head(busName);
        var statuses = new ArrayList<SubscriptionStatus>();
        for (SubscriptionRecord record : store.subscriptions(busName)) {
            PersistentSubscriptionWorker worker = workers.get(record.subscriptionId());
            PersistentSubscriptionWorker active = worker != null && worker.isClaimed() ? worker : null;
            Checkpoint checkpoint = active != null ? active.checkpoint() : record.checkpoint();
            SubscriptionState state = worker == null ? SubscriptionState.DISCONNECTED
                    : worker.isRecovering() ? SubscriptionState.RECOVERING
                    : active != null ? SubscriptionState.ACTIVE : SubscriptionState.STANDBY;
            statuses.add(new SubscriptionStatus(record.subscriptionId(), record.pattern(), true, state, checkpoint,
                    head, Math.max(0, head - checkpoint.position()), active != null ? active.inFlightCount() : 0,
                    store.countDeadLetters(busName, record.subscriptionId()),
                    worker != null ? worker.lastError() : null));
        }
        statuses.addAll(transients.statuses(head));
        return new BusStatus(busName, head, statuses);
    }
}
