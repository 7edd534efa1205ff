package io.signalbus.jdbc;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The committed local transactions waiting for their sequencing steps, by bus, in the order they
 * committed. Not thread-safe: the {@link Sequencer} guards it with its monitor.
 *
 * <p>Bounded: at most {@link #MAX_WAITING} transactions; beyond that a transaction is not remembered,
 * and the backstop sequences it once it is one interval old. A waiting transaction keeps its signals
 * and envelopes for the hand-on after its caller returned, but all of them together at most
 * {@link #MAX_HELD_SIGNALS} signals and {@link #MAX_HELD_CHARS} characters of envelopes (more only
 * when one transaction alone has more): beyond that a transaction waits by its key alone, is moved
 * in its turn (so one thread's transactions still get positions in the order it committed them),
 * and its subscribers read it from the log instead of being handed it. Publishers committing faster
 * than steps move their signals would otherwise fill the heap.
 */
final class WaitingTransactions {

    /** Committed transactions that may wait for their positions at once. */
    static final int MAX_WAITING = 100_000;
    /** Signals the waiting transactions keep for their hand-on: 20 steps. */
    static final long MAX_HELD_SIGNALS = 20_000;
    /** Characters of envelopes the waiting transactions keep for their hand-on: four steps' worth. */
    static final long MAX_HELD_CHARS = 4 * Sequencer.MAX_STEP_CHARS;

    /**
     * A local committed transaction's signals on one bus, waiting for their positions: its requests,
     * or none when it waits by its key alone (not {@link #held}).
     */
    record Waiting(long txKey, List<AppendRequest> requests, int size, long chars) {
        /** Whether its signals are kept to be handed on once moved. */
        boolean held() {
            return !requests.isEmpty();
        }
    }

    private final int batch;
    private final Map<String, ArrayDeque<Waiting>> byBus = new HashMap<>();
    private int count;
    /** The signals the {@link Waiting#held held} transactions keep. */
    private long heldSignals;
    /** Their characters of envelopes. */
    private long heldChars;

    /** @param batch the signals a step takes at most (unless its first transaction alone has more) */
    WaitingTransactions(int batch) {
        this.batch = batch;
    }

    /**
     * Remembers a committed transaction of {@code size} signals and {@code chars} characters of
     * envelopes on {@code bus}, with its requests while the held ones leave room, else by its key
     * alone; false when {@link #MAX_WAITING} transactions wait already (the backstop will find it).
     */
    boolean add(String bus, long txKey, List<AppendRequest> requests, int size, long chars) {
        if (count >= MAX_WAITING) {
            return false;
        }
        boolean hold = heldSignals == 0
                || heldSignals + size <= MAX_HELD_SIGNALS && heldChars + chars <= MAX_HELD_CHARS;
        add(bus, new Waiting(txKey, hold ? requests : List.of(), size, chars), false);
        return true;
    }

    /**
     * Takes the next transactions of the bus for a step, in commit order: at least one, else at most
     * {@code batch} signals and {@link Sequencer#MAX_STEP_CHARS} characters of envelopes.
     */
    List<Waiting> next(String bus) {
        ArrayDeque<Waiting> queue = byBus.get(bus);
        var next = new ArrayList<Waiting>();
        if (queue == null) {
            return next;
        }
        for (int i = stepLength(queue); i > 0; i--) {
            Waiting transaction = queue.removeFirst();
            next.add(transaction);
            count(transaction, -1);
        }
        if (queue.isEmpty()) {
            byBus.remove(bus);
        }
        return next;
    }

    /** Puts transactions whose step failed back at the head of their bus's queue, in their order. */
    void requeue(String bus, List<Waiting> transactions) {
        for (int i = transactions.size() - 1; i >= 0; i--) {
            add(bus, transactions.get(i), true);
        }
    }

    /** Whether any transaction waits on {@code bus}. */
    boolean any(String bus) {
        return byBus.containsKey(bus);
    }

    /** Whether the transactions waiting on {@code bus} are more than one step takes. */
    boolean moreThanAStep(String bus) {
        ArrayDeque<Waiting> queue = byBus.get(bus);
        return queue != null && stepLength(queue) < queue.size();
    }

    /** The keys of the transactions waiting on {@code bus}. */
    Set<Long> keys(String bus) {
        var keys = new HashSet<Long>();
        byBus.getOrDefault(bus, new ArrayDeque<>()).forEach(transaction -> keys.add(transaction.txKey()));
        return keys;
    }

    private void add(String bus, Waiting transaction, boolean atHead) {
        ArrayDeque<Waiting> queue = byBus.computeIfAbsent(bus, b -> new ArrayDeque<>());
        if (atHead) {
            queue.addFirst(transaction);
        } else {
            queue.addLast(transaction);
        }
        count(transaction, 1);
    }

    /** Counts a transaction in ({@code sign} 1) or out (-1). */
    private void count(Waiting transaction, int sign) {
        count += sign;
        if (transaction.held()) {
            heldSignals += sign * (long) transaction.size();
            heldChars += sign * transaction.chars();
        }
    }

    /** How many of the transactions at the head of {@code queue} one step takes, by {@link Sequencer#joinsStep}. */
    private int stepLength(ArrayDeque<Waiting> queue) {
        int taken = 0;
        int size = 0;
        long chars = 0;
        for (Waiting transaction : queue) {
            if (!Sequencer.joinsStep(batch, size, chars, transaction.size(), transaction.chars())) {
                break;
            }
            taken++;
            size += transaction.size();
            chars += transaction.chars();
        }
        return taken;
    }
}
