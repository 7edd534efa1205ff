package io.signalbus.internal;

import io.signalbus.Checkpoint;
import io.signalbus.RecordedSignal;
import io.signalbus.SignalHandler;
import io.signalbus.SubscriptionState;
import io.signalbus.SubscriptionStatus;
import io.signalbus.router.PatternTrie;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/** The transient subscriptions of one bus, matched by pattern in priority order, then registration order. */
final class TransientRouter {

    private final PatternTrie<TransientSubscription> trie = new PatternTrie<>();
    private final Map<String, TransientSubscription> subscriptions = new ConcurrentHashMap<>();
    private final Map<String, PatternTrie.Registration<TransientSubscription>> registrations =
            new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    /** Adds a subscription to a compiled pattern; returns its generated id. */
    synchronized String add(String pattern, int priority, Function<String, SignalHandler> handler) {
        String id = "transient-" + ids.incrementAndGet();
        var subscription = new TransientSubscription(id, pattern, handler.apply(id));
        subscriptions.put(id, subscription);
        registrations.put(id, trie.add(pattern, priority, subscription));
        return id;
    }

    /** Removes a subscription; false when {@code id} is not a transient subscription of this bus. */
    synchronized boolean remove(String id) {
        if (subscriptions.remove(id) == null) {
            return false;
        }
        trie.remove(Objects.requireNonNull(registrations.remove(id), "registration")); // added with the subscription
        return true;
    }

    boolean contains(String id) {
        return subscriptions.containsKey(id);
    }

    /** After commit, on the publisher's thread: transient handlers in priority order. */
    void deliver(List<RecordedSignal> recorded) {
        if (!subscriptions.isEmpty()) {
            for (RecordedSignal signal : recorded) {
                for (TransientSubscription subscription : trie.match(signal.signal().type())) {
                    subscription.deliver(signal);
                }
            }
        }
    }

    /** One status per transient subscription, by id: always active, nothing to settle. */
    List<SubscriptionStatus> statuses(long head) {
        return subscriptions.values().stream().sorted(Comparator.comparing(t -> t.id))
                .map(t -> new SubscriptionStatus(t.id, t.pattern, false, SubscriptionState.ACTIVE, Checkpoint.ORIGIN,
                        head, 0, 0, 0, null))
                .toList();
    }
}
