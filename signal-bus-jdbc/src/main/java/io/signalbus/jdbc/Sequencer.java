package io.signalbus.jdbc;

import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives positions to signals published inside callers' transactions once those have committed, on
 * one thread per store: a committing caller {@linkplain #committed wakes} it for the buses it
 * published to and returns at once; the thread moves every committed staged row of such a bus into
 * the log ({@link PendingMover}, batch after batch) and then hands each local transaction's signals
 * on with their positions ({@link AppendRequest#handOn}), in position order. A staged row no local
 * transaction is waiting for (staged by another process, or by one that died between its commit and
 * sequencing) is sequenced all the same and reported through {@code appendedElsewhere}, so that
 * subscriptions read it. As a backstop, every {@code backstop} interval the thread also sequences
 * every bus that has staged rows. Several processes may sequence one bus: the head lock serialises
 * them.
 *
 * <p>Bounded: the set of buses to sequence holds each bus once, and the transactions waiting for
 * their hand-on are at most {@link #MAX_WAITING}; beyond that a transaction is not handed on, and
 * its signals are reported as appended elsewhere instead (subscriptions then read them).
 */
final class Sequencer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Sequencer.class);

    /** Committed transactions that may wait for their hand-on at once. */
    static final int MAX_WAITING = 100_000;

    /** A local transaction's signals on one bus, waiting for their positions. */
    private record Waiting(List<AppendRequest> requests, long since) {
    }

    private record Key(long txKey, String bus) {
    }

    private final PendingMover mover;
    private final int batch;
    private final long backstopNanos;
    private final Supplier<List<String>> pendingBuses;
    private final Consumer<String> appendedElsewhere;
    private final Map<Key, Waiting> waiting = new ConcurrentHashMap<>();
    /** Buses to sequence, each once; guarded by this. */
    private final Set<String> woken = new LinkedHashSet<>();
    private @Nullable Thread thread;
    private boolean closed;

    /**
     * @param pendingBuses      the buses that have staged rows, for the backstop
     * @param appendedElsewhere told of a bus whose log got signals no local caller is waiting for
     */
    Sequencer(PendingMover mover, int batch, Duration backstop, Supplier<List<String>> pendingBuses,
            Consumer<String> appendedElsewhere) {
        this.mover = mover;
        this.batch = batch;
        this.backstopNanos = backstop.toNanos();
        this.pendingBuses = pendingBuses;
        this.appendedElsewhere = appendedElsewhere;
    }

    /** Starts the thread, so that the backstop runs even before the first local publish. */
    synchronized void start() {
        if (!closed && thread == null) {
            Thread started = new Thread(this::run, "signal-bus-jdbc-sequencer");
            started.setDaemon(true);
            started.start();
            thread = started;
        }
    }

    /** After a caller's transaction committed: what it staged, by bus; wakes the thread for those buses. */
    void committed(long txKey, Map<String, List<AppendRequest>> requests) {
        long now = System.nanoTime();
        for (Map.Entry<String, List<AppendRequest>> bus : requests.entrySet()) {
            if (waiting.size() < MAX_WAITING) {
                waiting.put(new Key(txKey, bus.getKey()), new Waiting(bus.getValue(), now));
            }
            wake(bus.getKey());
        }
    }

    /** Asks the thread to sequence {@code bus}; after {@link #close}, sequences it on the calling thread. */
    void wake(String bus) {
        synchronized (this) {
            if (!closed) {
                woken.add(bus);
                notifyAll();
                return;
            }
        }
        sequence(bus);
    }

    private void run() {
        long lastBackstop = System.nanoTime();
        while (true) {
            List<String> buses;
            synchronized (this) {
                long left = backstopNanos - (System.nanoTime() - lastBackstop);
                while (!closed && woken.isEmpty() && left > 0) {
                    try {
                        TimeUnit.NANOSECONDS.timedWait(this, left);
                    } catch (InterruptedException e) {
                        // only close() stops the sequencer
                    }
                    left = backstopNanos - (System.nanoTime() - lastBackstop);
                }
                if (closed) {
                    return;
                }
                buses = new ArrayList<>(woken);
                woken.clear();
            }
            if (System.nanoTime() - lastBackstop >= backstopNanos) {
                lastBackstop = System.nanoTime();
                backstop(buses);
            }
            for (String bus : buses) {
                if (!sequence(bus)) {
                    pause(); // the database failed: try again after the backstop interval, not in a tight loop
                }
            }
        }
    }

    /** Adds every bus with staged rows (committed by anyone, not sequenced yet) to {@code buses}. */
    private void backstop(List<String> buses) {
        try {
            for (String bus : pendingBuses.get()) {
                if (!buses.contains(bus)) {
                    buses.add(bus);
                }
            }
        } catch (RuntimeException e) {
            log.warn("signal-bus: could not look for signals waiting for their positions: {}",
                    JdbcSignalStore.message(e), e);
        }
    }

    private synchronized void pause() {
        long deadline = System.nanoTime() + backstopNanos;
        long left;
        while (!closed && (left = deadline - System.nanoTime()) > 0) {
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                // only close() stops the sequencer
            }
        }
    }

    /**
     * Sequences every committed staged row of {@code bus}, batch after batch, handing each batch on;
     * false (and the bus is woken again) when the database failed.
     */
    boolean sequence(String bus) {
        long started = System.nanoTime();
        try {
            PendingMover.Step step;
            do {
                step = mover.move(bus);
                handOn(bus, step);
            } while (step.staged() >= batch);
        } catch (RuntimeException e) {
            log.warn("signal-bus: could not give positions to signals committed on bus '{}' (retrying): {}", bus,
                    JdbcSignalStore.message(e), e);
            synchronized (this) {
                if (!closed) {
                    woken.add(bus);
                }
            }
            return false;
        }
        // what was waiting before this pass and was not found has been sequenced by another process
        boolean forgotten = waiting.entrySet().removeIf(entry -> entry.getKey().bus().equals(bus)
                && entry.getValue().since() - started < 0);
        if (forgotten) {
            appendedElsewhere.accept(bus);
        }
        return true;
    }

    /** Hands each local transaction's signals on, in position order; reports the others as appended elsewhere. */
    private void handOn(String bus, PendingMover.Step step) {
        boolean elsewhere = false;
        for (Map.Entry<Long, List<PendingMover.Moved>> transaction : step.byTransaction().entrySet()) {
            Waiting local = waiting.remove(new Key(transaction.getKey(), bus));
            if (local == null) {
                elsewhere = true;
            } else {
                handOn(local.requests(), transaction.getValue());
            }
        }
        if (elsewhere) {
            appendedElsewhere.accept(bus);
        }
    }

    /** Hands each request its signals: the rows of one transaction, grouped by the request that published them. */
    private static void handOn(List<AppendRequest> requests, List<PendingMover.Moved> rows) {
        var requestOf = new HashMap<String, AppendRequest>();
        var signalOf = new HashMap<String, Signal>();
        for (AppendRequest request : requests) {
            for (Signal signal : request.signals()) {
                requestOf.put(signal.id(), request);
                signalOf.put(signal.id(), signal);
            }
        }
        AppendRequest current = null;
        var recorded = new ArrayList<RecordedSignal>();
        for (PendingMover.Moved row : rows) {
            AppendRequest request = requestOf.get(row.signalId());
            Signal signal = signalOf.get(row.signalId());
            if (request == null || signal == null) {
                continue; // not staged by this transaction (a key clash); subscriptions read it
            }
            if (request != current && current != null) {
                current.handOn(List.copyOf(recorded));
                recorded.clear();
            }
            current = request;
            recorded.add(new RecordedSignal(row.position(), signal, row.recordedAt()));
        }
        if (current != null) {
            current.handOn(List.copyOf(recorded));
        }
    }

    /** Stops the thread after its current batch; later wake-ups sequence on the caller's thread. */
    @Override
    public void close() {
        Thread stopping;
        List<String> left;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            notifyAll();
            stopping = thread;
            left = new ArrayList<>(woken);
            woken.clear();
        }
        if (stopping != null) {
            boolean interrupted = false;
            while (stopping.isAlive()) {
                try {
                    stopping.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        left.forEach(this::sequence);
    }
}
