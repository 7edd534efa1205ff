package io.signalbus.jdbc;

import io.signalbus.jdbc.WaitingTransactions.Waiting;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives positions to signals published inside callers' transactions once those have committed, on
 * one sequencing thread per store: a committing caller {@linkplain #committed hands over} its transaction (its
 * key and what it published, by bus) and returns at once; the thread moves the staged rows of the
 * committed transactions of a bus into the log by their keys ({@link PendingMover}), in commit order
 * and in batches, and hands each transaction's signals on with their positions
 * ({@link AppendRequest#handOn}), in position order. Taking rows by key, a step never walks the
 * staging table, which holds deleted rows until vacuum removes them.
 *
 * <p>A staged row no local transaction is waiting for (staged by another process whose sequencer is
 * late, or by one that died between its commit and sequencing) is moved by the {@link Backstop}, on a
 * thread of its own: every {@code backstop} interval it walks the rows staged at least one interval ago (by
 * this JVM's clock: younger ones are left to the process that staged them, so that its subscribers
 * get them handed on), on every bus, in staging order, sequences their transactions, and reports
 * them through {@code appendedElsewhere}, so that subscriptions read them. Several processes may
 * sequence one bus: the head lock serialises their appends, and a transaction another one moved is
 * simply not found (and reported as appended elsewhere too).
 *
 * <p>Bounded: the set of buses to sequence holds each bus once, and what waits for its step is
 * bounded as {@link WaitingTransactions} says.
 */
final class Sequencer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Sequencer.class);

    /**
     * Paces the steps of the sequencing thread ({@link StepPacing}): every step is a commit, and so a
     * WAL flush; stepping as soon as the last step ended, a lone publisher's steps took 1.6 of its
     * transactions each, 0.6 extra flushes per signal (raw has 1). Held 4 ms apart, 1 thread × 1
     * signal per transaction made 1.15 commits per signal instead of 1.41 and ran about a quarter
     * faster ({@code WalPerSignal}, docs/benchmarks.md); 16 ms apart, a lone publisher ran a third
     * faster again, while a signal waited up to 16 ms for its step. So the interval grows with the
     * rate of signals committed. Guarded by this.
     */
    private final StepPacing pacing = new StepPacing();
    /**
     * Whether more signals waited after the last step than one step takes: then the next step starts
     * at once, since waiting for the interval cannot make it larger, only later. Paced, a bus
     * could take no more than a batch an interval (1,000 signals every 16 ms: 62,500 a second), and
     * publishers committing faster left it further behind at every step. Guarded by this.
     */
    private boolean behind;
    /** Signals committed since the last step started; guarded by this. */
    private long signalsSinceStep;

    /**
     * Characters of envelopes one step takes at most, unless its first transaction alone has more:
     * the bound of one append statement, since on PostgreSQL a step is one statement and one
     * transaction (with signals of up to {@code max-payload-size}, 1 MB by default, a step of 1,000
     * signals could otherwise carry a gigabyte).
     */
    static final long MAX_STEP_CHARS = PostgresAppendStrategy.MAX_CHARS_PER_STATEMENT;

    private final PendingMover mover;
    private final Backstop backstop;
    private final long backstopNanos;
    private final Consumer<String> appendedElsewhere;
    /** Committed local transactions by bus, in commit order; guarded by this. */
    private final WaitingTransactions waiting;
    /** Buses to sequence, each once; guarded by this. */
    private final Set<String> woken = new LinkedHashSet<>();
    /** Whether the sequencing thread waits for a commit; guarded by this. */
    private boolean idle;
    /** The sequencing thread and the backstop thread, once started; guarded by this. */
    private final List<Thread> threads = new ArrayList<>();
    private boolean closed;

    /**
     * @param appendedElsewhere told of a bus whose log got signals no local caller is waiting for
     */
    Sequencer(PendingMover mover, int batch, Duration backstop, Consumer<String> appendedElsewhere) {
        this.mover = mover;
        this.waiting = new WaitingTransactions(batch);
        this.backstop = new Backstop(mover, batch, appendedElsewhere);
        this.backstopNanos = backstop.toNanos();
        this.appendedElsewhere = appendedElsewhere;
    }

    /**
     * Starts the sequencing thread and the backstop thread (which at once looks for what a process
     * that died left behind). On a thread of its own, the backstop's walk of the staging table never
     * delays a local transaction's step.
     */
    synchronized void start() {
        if (!closed && threads.isEmpty()) {
            threads.add(daemon("signal-bus-jdbc-sequencer", this::run));
            threads.add(daemon("signal-bus-jdbc-backstop", this::runBackstop));
        }
    }

    private static Thread daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    /**
     * After a caller's transaction committed: its key and what it staged, by bus; wakes the thread for
     * those buses (after {@link #close}, sequences them on the calling thread).
     */
    void committed(long txKey, Map<String, List<AppendRequest>> requests) {
        synchronized (this) {
            for (Map.Entry<String, List<AppendRequest>> bus : requests.entrySet()) {
                // loops, not streams: this runs on every committing thread under the monitor
                int size = 0;
                long chars = 0;
                for (AppendRequest request : bus.getValue()) {
                    size += request.size();
                    chars += request.envelopeChars();
                }
                signalsSinceStep += size;
                if (waiting.add(bus.getKey(), txKey, bus.getValue(), size, chars)) { // else the backstop finds it
                    woken.add(bus.getKey());
                }
            }
            if (idle) {
                // else it is stepping and looks at what is woken when done; and the backstop thread, which
                // waits on this monitor too, is not woken for every commit
                notifyAll();
            }
            if (!closed) {
                return;
            }
            woken.removeAll(requests.keySet());
        }
        requests.keySet().forEach(bus -> sequence(bus, true));
    }

    private void run() {
        long lastStep = System.nanoTime();
        long nextStep = lastStep;
        while (true) {
            List<String> buses;
            synchronized (this) {
                while (!closed && (woken.isEmpty() || !behind && nextStep - System.nanoTime() > 0)) {
                    try {
                        if (woken.isEmpty()) {
                            idle = true;
                            wait();
                        } else {
                            TimeUnit.NANOSECONDS.timedWait(this, nextStep - System.nanoTime());
                        }
                    } catch (InterruptedException e) {
                        // only close() stops the sequencer
                    } finally {
                        idle = false;
                    }
                }
                if (closed) {
                    return;
                }
                buses = new ArrayList<>(woken);
                woken.clear();
                behind = false;
                long now = System.nanoTime();
                nextStep = now + pacing.next(signalsSinceStep, now - lastStep);
                lastStep = now;
                signalsSinceStep = 0;
            }
            for (String bus : buses) {
                if (!sequence(bus, false)) {
                    pause(); // the database failed: try again after the backstop interval, not in a tight loop
                }
            }
        }
    }

    /** Every backstop interval: sequences the staged rows no local transaction waits for. */
    private void runBackstop() {
        while (!isClosed()) {
            try {
                backstop.walk(Instant.now().minusNanos(backstopNanos), this::waitingKeys, this::isClosed);
            } catch (RuntimeException e) {
                log.warn("signal-bus: could not look for signals waiting for their positions (retrying): {}",
                        JdbcSignalStore.message(e), e);
            }
            pause();
        }
    }

    private synchronized boolean isClosed() {
        return closed;
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
     * Sequences the committed local transactions of {@code bus}, handing each batch on: all of them,
     * batch after batch, if {@code drain}, else one batch (the bus is woken again if more wait, for
     * the next step, {@link StepPacing paced}); false (and the bus is woken again) when the
     * database failed.
     */
    boolean sequence(String bus, boolean drain) {
        try {
            for (List<Waiting> next = next(bus); !next.isEmpty(); next = next(bus)) {
                PendingMover.Step step;
                try {
                    step = mover.move(bus, next.stream().map(Waiting::txKey).toList());
                } catch (RuntimeException e) {
                    requeue(bus, next);
                    throw e;
                }
                handOn(bus, next, step);
                if (!drain) {
                    synchronized (this) {
                        if (!closed) {
                            if (waiting.any(bus)) {
                                woken.add(bus); // its next step comes after the interval, or at once if behind
                                behind |= waiting.moreThanAStep(bus);
                            }
                            return true;
                        }
                    } // closing: this thread finishes the bus, as close() does not see it
                }
            }
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
        return true;
    }

    private synchronized Set<Long> waitingKeys(String bus) {
        return waiting.keys(bus);
    }

    /** Takes the next committed transactions of the bus for a step ({@link WaitingTransactions#next}). */
    synchronized List<Waiting> next(String bus) {
        return waiting.next(bus);
    }

    /** Whether the committed transactions waiting on {@code bus} are more than one step takes. */
    synchronized boolean moreThanAStepWaits(String bus) {
        return waiting.moreThanAStep(bus);
    }

    /**
     * Whether a transaction of {@code signals} signals and {@code chars} characters of envelopes joins
     * a step that has {@code stepSignals} and {@code stepChars} so far: the first always does, the
     * others while the step stays within {@code batch} signals and {@link #MAX_STEP_CHARS}. The one
     * rule for local steps and the backstop's.
     */
    static boolean joinsStep(int batch, int stepSignals, long stepChars, int signals, long chars) {
        return stepSignals == 0 || stepSignals + signals <= batch && stepChars + chars <= MAX_STEP_CHARS;
    }

    /** Puts transactions whose step failed back at the head of their bus's queue, in their order. */
    private synchronized void requeue(String bus, List<Waiting> transactions) {
        waiting.requeue(bus, transactions);
    }

    /**
     * Hands each held transaction's signals on; reports as appended elsewhere those another sequencer
     * moved and those that waited by their keys alone, so that subscriptions read them from the log.
     */
    void handOn(String bus, List<Waiting> transactions, PendingMover.Step step) {
        boolean elsewhere = false;
        for (Waiting transaction : transactions) {
            List<PendingMover.Moved> rows = step.byTransaction().get(transaction.txKey());
            if (rows == null) {
                elsewhere = true; // moved by another sequencer (or every signal of it was a duplicate)
            } else if (!transaction.held()) {
                elsewhere = true; // waited by its key alone: subscriptions read it from the log
            } else {
                MovedSignals.handOn(transaction.requests(), rows);
            }
        }
        if (elsewhere) {
            appendedElsewhere.accept(bus);
        }
    }

    /** Stops the threads after their current step; later commits are sequenced on the caller's thread. */
    @Override
    public void close() {
        List<Thread> stopping;
        List<String> left;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            notifyAll();
            stopping = List.copyOf(threads);
            left = new ArrayList<>(woken);
            woken.clear();
        }
        stopping.forEach(Uninterruptibly::join);
        left.forEach(bus -> sequence(bus, true));
    }
}
