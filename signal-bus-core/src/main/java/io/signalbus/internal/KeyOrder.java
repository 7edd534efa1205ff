package io.signalbus.internal;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Per-key order in a partition: of the pending signals of one key, only the oldest may be delivered;
 * the others wait, blocked, until it settles (acked or dead-lettered), so a retry of a key holds back
 * that key and no other. Pure state, guarded by its ledger's lock.
 */
final class KeyOrder {

    /** Pending signals by key, oldest first; a key leaves the map with its last signal. */
    private final Map<String, ArrayDeque<PendingSignal>> byKey = new HashMap<>();

    /** Takes a newly admitted signal of key {@code key}; true when it is the oldest of its key (deliverable now). */
    boolean admit(PendingSignal signal, String key) {
        signal.key = key;
        ArrayDeque<PendingSignal> queue = byKey.computeIfAbsent(key, k -> new ArrayDeque<>(2));
        queue.add(signal);
        return queue.size() == 1;
    }

    /** Forgets a settled signal; returns the signal of its key that may be delivered now, or null. */
    @Nullable PendingSignal settled(PendingSignal signal) {
        String key = signal.key;
        ArrayDeque<PendingSignal> queue = key == null ? null : byKey.get(key);
        if (queue == null) {
            return null;
        }
        boolean wasOldest = queue.peekFirst() == signal;
        queue.remove(signal);
        if (queue.isEmpty()) {
            byKey.remove(key);
            return null;
        }
        return wasOldest ? queue.peekFirst() : null;
    }

    void clear() {
        byKey.clear();
    }
}
