package io.signalbus.internal;

import io.signalbus.RecordedSignal;
import io.signalbus.store.SignalStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * The persistent subscriptions running in this process for one bus, by subscription id, and
 * the order in which committed signals are handed on to them: priority, then when they started (the
 * routing order of transient subscriptions).
 */
final class PersistentWorkers {

    private final Map<String, SubscriptionWorkers> workers = new ConcurrentHashMap<>();
    private volatile List<PersistentSubscriptionWorker> order = List.of();
    private final AtomicLong sequence = new AtomicLong();

    /** The next start sequence, which orders workers of equal priority. */
    long nextSequence() {
        return sequence.incrementAndGet();
    }

    @Nullable SubscriptionWorkers get(String subscriptionId) {
        return workers.get(subscriptionId);
    }

    void add(SubscriptionWorkers subscription) {
        workers.put(subscription.id, subscription);
        reorder();
    }

    void remove(SubscriptionWorkers subscription) {
        workers.remove(subscription.id);
        reorder();
    }

    /** Removes and returns every subscription. */
    Collection<SubscriptionWorkers> removeAll() {
        List<SubscriptionWorkers> all = new ArrayList<>(workers.values());
        workers.clear();
        order = List.of();
        return all;
    }

    private synchronized void reorder() {
        var sorted = SubscriptionWorkers.all(workers.values());
        sorted.sort(Comparator.comparingInt((PersistentSubscriptionWorker w) -> -w.priority)
                .thenComparingLong(w -> w.sequence));
        order = List.copyOf(sorted);
    }

    /**
     * After commit, on the store's committing thread where it has one: hands the signals to every
     * worker (each needs the whole log, matching or not, to move its checkpoint); only workers with
     * a matching signal are woken. Quick: it never runs a handler.
     */
    void handOn(List<RecordedSignal> recorded) {
        for (PersistentSubscriptionWorker worker : order) {
            boolean matches = false;
            for (int i = 0; i < recorded.size() && !matches; i++) {
                matches = worker.pattern.matches(recorded.get(i).signal().type());
            }
            worker.handOn(recorded, matches);
        }
    }

    /**
     * Has {@code store} tell the workers when the log of {@code bus} grows elsewhere (another process
     * appended), so that they read at once rather than at their next poll; returns what stops it.
     */
    Runnable readOnAppendsElsewhere(SignalStore store, String bus) {
        return store.onAppendedElsewhere(grown -> {
            if (grown.equals(bus)) {
                order.forEach(PersistentSubscriptionWorker::readSoon);
            }
        });
    }
}
