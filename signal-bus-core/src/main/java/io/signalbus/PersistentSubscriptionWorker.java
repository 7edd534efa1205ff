package io.signalbus;

import io.signalbus.PendingSignal.State;
import io.signalbus.router.SignalPattern;
import io.signalbus.store.SubscriptionRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one persistent subscription in this process: reads the log after the checkpoint, delivers
 * matching signals in position order to the handler, keeps at most {@code maxInFlight} unacked,
 * redelivers on nack, failure or ack timeout with backoff, dead-letters after {@code maxAttempts},
 * and writes the low-water-mark checkpoint in batches.
 *
 * <p>All state is guarded by one lock; store I/O and handler calls happen outside it. Dispatcher
 * threads ({@code concurrency} of them) run {@link #runLoop()}.
 */
final class PersistentSubscriptionWorker {

    private static final Logger log = LoggerFactory.getLogger(PersistentSubscriptionWorker.class);
    private static final int MAX_EARLY = 64;
    private static final long EARLY_GRACE_NANOS = 2_000_000;

    final String id;
    final SignalPattern pattern;
    final int priority;
    final long sequence;
    private final DefaultSignalBus bus;
    private final int maxInFlight;
    private final int maxAttempts;
    private final Duration ackTimeout;
    private final int concurrency;
    private volatile SignalHandler handler;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();

    // --- guarded by lock ---
    /** Matching signals above the checkpoint that are not settled, by position. */
    private final TreeMap<Long, PendingSignal> pending = new TreeMap<>();
    /** Pending and redriven signals by id, for acks by id. */
    private final Map<String, PendingSignal> byId = new HashMap<>();
    /** To deliver now, in position order. */
    private final ArrayDeque<PendingSignal> ready = new ArrayDeque<>();
    /** Dead letters put back for delivery; they go ahead of new signals. */
    private final ArrayDeque<PendingSignal> redriveQueue = new ArrayDeque<>();
    /** Failed, waiting for their retry time. */
    private final PriorityQueue<PendingSignal> waiting = new PriorityQueue<>(
            Comparator.comparing((PendingSignal p) -> p.retryAt).thenComparingLong(PendingSignal::position));
    /** Delivered and unacked, in delivery order, which is deadline order (one ack timeout per subscription). */
    private final LinkedHashSet<PendingSignal> inFlight = new LinkedHashSet<>();
    /** Signals read or handed off, above {@link #cursor}, not yet looked at. */
    private final ArrayDeque<RecordedSignal> buffer = new ArrayDeque<>();
    /**
     * Hand-offs that arrived before a lower one (publishers dispatch after their own commits, so
     * concurrent publishes arrive out of order), by first position, held until the gap fills.
     */
    private final TreeMap<Long, List<RecordedSignal>> early = new TreeMap<>();
    private int earlySignals;
    /** Counts hand-offs that asked for a read, so a read in progress does not postpone them. */
    private long readHints;
    private final int bufferLimit;
    /** Every committed position at or below this is in the buffer or was looked at. */
    private long fetched;
    /** Every position at or below this is pending or settled; with its signal's time. */
    private long cursor;
    private @Nullable Instant cursorTime;
    private Map<Long, Integer> priorAttempts = new HashMap<>();
    private int redriving;
    private long deliveries;
    private boolean running = true;
    private boolean reading;
    /** Counts {@link #forgetAll()}s, so that a read started before one can tell. */
    private long generation;
    private boolean flushing;
    private long nextReadNanos;
    private Checkpoint flushed;
    private int settledSinceFlush;
    private Instant lastFlushAt;
    private @Nullable String lastError;
    private final List<Thread> threads = new ArrayList<>();

    // --- the claim: one process at a time serves a subscription ---
    private final Object claimMonitor = new Object();
    private volatile boolean claimed;
    private volatile Instant renewAt = Instant.MIN;
    private Instant leaseUntil = Instant.MIN;
    private long nextClaimAttemptNanos;

    PersistentSubscriptionWorker(DefaultSignalBus bus, SubscriptionRecord record, int concurrency,
            SignalHandler handler, long sequence) {
        this.bus = bus;
        this.sequence = sequence;
        this.id = record.subscriptionId();
        this.pattern = SignalPattern.compile(record.pattern());
        this.priority = record.priority();
        this.maxInFlight = record.maxInFlight();
        this.maxAttempts = record.maxAttempts();
        this.ackTimeout = record.ackTimeout();
        this.concurrency = concurrency;
        this.handler = handler;
        this.bufferLimit = Math.max(bus.readBatchSize * 2, 1024);
        this.cursor = record.checkpoint().position();
        this.cursorTime = record.checkpoint().time();
        this.fetched = cursor;
        this.flushed = record.checkpoint();
        this.lastFlushAt = bus.clock.instant();
    }

    void start() {
        holdClaim(); // at once, so that status() right after subscribe says ACTIVE or STANDBY
        for (int i = 0; i < concurrency; i++) {
            Thread thread = new Thread(this::runLoop,
                    "signal-bus-" + bus.name() + "-" + id + (concurrency > 1 ? "-" + (i + 1) : ""));
            thread.setDaemon(true);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
        log.debug("persistent subscription '{}' on bus '{}' started at checkpoint {}", id, bus.name(), flushed);
    }

    // ------------------------------------------------------------------ dispatch loop

    private void runLoop() {
        try {
            while (true) {
                if (!holdClaim()) {
                    lock.lock();
                    try {
                        if (!running) {
                            return;
                        }
                        awaitChange(bus.clock.instant());
                    } finally {
                        lock.unlock();
                    }
                    continue;
                }
                PendingSignal next = null;
                long sequence = 0;
                boolean read = false;
                List<Failure> failed = null;
                lock.lock();
                try {
                    if (!running) {
                        return;
                    }
                    Instant now = bus.clock.instant();
                    failed = expireTimeouts(now);
                    next = nextToDeliver(now);
                    if (next != null && next.attempts >= maxAttempts) {
                        // its dead-letter write failed before; try that again instead of delivering
                        next.state = State.SETTLING;
                        failed = failed != null ? failed : new ArrayList<>(1);
                        failed.add(new Failure(next, true, next.attempts));
                        next = null;
                    } else if (next != null) {
                        next.attempts++;
                        next.state = State.IN_FLIGHT;
                        next.deadline = now.plus(ackTimeout);
                        next.deliverySequence = sequence = ++deliveries;
                        inFlight.add(next);
                    }
                    if (readDue()) {
                        reading = true;
                        read = true;
                    } else if (next == null && failed == null) {
                        awaitChange(now);
                        continue;
                    }
                } finally {
                    lock.unlock();
                }
                if (read) {
                    bus.inBackground(this::readFromStore);
                }
                if (failed != null) {
                    failed.forEach(this::settleFailure);
                }
                if (next != null) {
                    deliver(next, sequence);
                }
                maybeFlush();
            }
        } catch (RuntimeException | Error e) {
            log.error("persistent subscription '{}' on bus '{}' stopped on an unexpected error", id, bus.name(), e);
            throw e;
        }
    }

    /** Picks the next signal to hand out: redriven dead letters, due retries, then new signals. */
    private @Nullable PendingSignal nextToDeliver(Instant now) {
        PendingSignal due = waiting.peek();
        if (due != null && !due.retryAt.isAfter(now)) {
            return waiting.poll();
        }
        if (unacked() >= maxInFlight) {
            return null;
        }
        if (!redriveQueue.isEmpty()) {
            return redriveQueue.poll();
        }
        if (ready.isEmpty()) {
            takeFromBuffer();
        }
        return ready.poll();
    }

    /** Moves buffered signals into the pending window while it has room; skips non-matching ones. */
    private void takeFromBuffer() {
        while (hasRoom() && !buffer.isEmpty()) {
            RecordedSignal recorded = buffer.poll();
            if (pattern.matches(recorded.signal().type())) {
                var pendingSignal = new PendingSignal(recorded, cursor, cursorTime, false);
                Integer attempts = priorAttempts.remove(recorded.position());
                pendingSignal.attempts = attempts == null ? 0 : attempts;
                pending.put(recorded.position(), pendingSignal);
                byId.put(pendingSignal.signalId(), pendingSignal);
                ready.add(pendingSignal);
            }
            cursor = recorded.position();
            cursorTime = recorded.signal().time();
        }
    }

    /**
     * Under the lock: whether to read the next page of the log now. Reads run ahead of delivery while
     * the buffer has room for a page (which bounds what a subscription holds); none while another
     * read is on its way, or before a read that found the log's end is due again.
     */
    private boolean readDue() {
        return canReadAhead() && System.nanoTime() - nextReadNanos >= 0;
    }

    private boolean canReadAhead() {
        return !reading && buffer.size() + earlySignals + bus.readBatchSize <= bufferLimit;
    }

    private boolean hasRoom() {
        return pending.size() + redriving < maxInFlight;
    }

    /** Deliveries handed out and not yet acked, including those waiting for a retry. */
    private int unacked() {
        return inFlight.size() + waiting.size();
    }

    /** Under the lock: fails deliveries whose ack deadline passed; null when none did. */
    private @Nullable List<Failure> expireTimeouts(Instant now) {
        List<Failure> failed = null;
        var it = inFlight.iterator();
        while (it.hasNext()) {
            PendingSignal head = it.next();
            if (head.deadline.isAfter(now)) {
                break;
            }
            it.remove();
            bus.listeners.timedOut(bus.name(), id, head.position(), head.attempts);
            failed = failed != null ? failed : new ArrayList<>();
            fail(head, new TimeoutException("not acked within " + ackTimeout + " (attempt " + head.attempts + ")"),
                    now, failed);
        }
        return failed;
    }

    private void awaitChange(Instant now) {
        long waitNanos = bus.pollInterval.toNanos();
        if (claimed && canReadAhead()) {
            // a read is due soon (a held hand-off waits for a lower one): wake up for it
            waitNanos = Math.min(waitNanos, Math.max(1, nextReadNanos - System.nanoTime()));
        }
        PendingSignal due = waiting.peek();
        if (due != null) {
            waitNanos = Math.min(waitNanos, Math.max(1, Duration.between(now, due.retryAt).toNanos()));
        }
        if (!inFlight.isEmpty()) {
            Instant deadline = inFlight.iterator().next().deadline;
            waitNanos = Math.min(waitNanos, Math.max(1, Duration.between(now, deadline).toNanos()));
        }
        try {
            changed.awaitNanos(waitNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    private void readFromStore() {
        long after;
        long hints;
        long readGeneration;
        lock.lock();
        try {
            after = fetched;
            hints = readHints;
            readGeneration = generation;
        } finally {
            lock.unlock();
        }
        List<RecordedSignal> batch = List.of();
        boolean failed = false;
        try {
            batch = bus.store.read(bus.name(), after, bus.readBatchSize);
        } catch (RuntimeException e) {
            failed = true;
            log.warn("persistent subscription '{}' on bus '{}' could not read the log after position {}; retrying in {}",
                    id, bus.name(), after, bus.pollInterval, e);
        }
        lock.lock();
        try {
            if (readGeneration != generation) {
                return;
            }
            reading = false;
            for (RecordedSignal recorded : batch) {
                if (recorded.position() > fetched) {
                    buffer.add(recorded);
                    fetched = recorded.position();
                }
            }
            takeEarly();
            if (failed || (batch.size() < bus.readBatchSize && hints == readHints)) {
                // caught up: wait for a hand-off or the next poll rather than asking the store again at once
                nextReadNanos = System.nanoTime() + bus.pollInterval.toNanos();
            }
            changed.signalAll(); // the dispatchers may deliver what came, or read again
        } finally {
            lock.unlock();
        }
    }

    /**
     * Signals just committed through this bus. Taking them directly saves a read when they follow on
     * from what this worker has fetched; otherwise the next read finds them.
     */
    void offer(List<RecordedSignal> committed, boolean matches) {
        lock.lock();
        try {
            RecordedSignal first = committed.get(0);
            RecordedSignal last = committed.get(committed.size() - 1);
            if (last.position() <= fetched) {
                return;
            }
            boolean room = buffer.size() + earlySignals + committed.size() <= bufferLimit;
            if (first.position() == fetched + 1 && room) {
                buffer.addAll(committed);
                fetched = last.position();
                takeEarly();
            } else if (first.position() > fetched + 1 && room && early.size() < MAX_EARLY) {
                early.put(first.position(), committed);
                earlySignals += committed.size();
                // the lower hand-off is usually microseconds behind; if it does not come, read the store
                long readAt = System.nanoTime() + EARLY_GRACE_NANOS;
                if (nextReadNanos - readAt > 0) {
                    nextReadNanos = readAt;
                }
            } else {
                nextReadNanos = System.nanoTime();
                readHints++;
            }
            if (matches) {
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock: moves held hand-offs that now follow on from {@link #fetched} into the buffer. */
    private void takeEarly() {
        Map.Entry<Long, List<RecordedSignal>> entry;
        while ((entry = early.firstEntry()) != null && entry.getKey() <= fetched + 1) {
            early.pollFirstEntry();
            earlySignals -= entry.getValue().size();
            for (RecordedSignal recorded : entry.getValue()) {
                if (recorded.position() > fetched) {
                    buffer.add(recorded);
                    fetched = recorded.position();
                }
            }
        }
    }

    private void deliver(PendingSignal pendingSignal, long sequence) {
        var delivery = new WorkerDelivery(this, pendingSignal, sequence, pendingSignal.attempts);
        bus.listeners.delivering(bus.name(), delivery, pendingSignal.recorded);
        long started = System.nanoTime();
        Throwable failure = null;
        try {
            handler.handle(delivery);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            failure = e;
        }
        bus.listeners.handled(bus.name(), delivery, Duration.ofNanos(System.nanoTime() - started), failure);
        if (failure != null) {
            log.debug("handler of subscription '{}' failed on signal {} (attempt {})", id,
                    pendingSignal.signalId(), pendingSignal.attempts, failure);
            nack(pendingSignal, sequence, failure);
        }
    }

    // ------------------------------------------------------------------ ack, nack, failures

    /** Acks a signal by id; false when it is not pending here (the bus then decides what that means). */
    boolean ack(String signalId) {
        PendingSignal pendingSignal = pending(signalId);
        if (pendingSignal == null) {
            return false;
        }
        ack(pendingSignal);
        return true;
    }

    private @Nullable PendingSignal pending(String signalId) {
        lock.lock();
        try {
            return byId.get(signalId);
        } finally {
            lock.unlock();
        }
    }

    void ack(PendingSignal pendingSignal) {
        int attempt;
        lock.lock();
        try {
            if (pendingSignal.state == State.SETTLING || pendingSignal.state == State.SETTLED) {
                return;
            }
            attempt = pendingSignal.attempts;
            remove(pendingSignal);
            settledSinceFlush++;
            changed.signal();
        } finally {
            lock.unlock();
        }
        if (pendingSignal.redrive) {
            try {
                bus.store.deleteDeadLetter(bus.name(), id, pendingSignal.position());
            } catch (RuntimeException e) {
                log.warn("subscription '{}': redriven signal at position {} was acked but its dead letter could not be"
                        + " deleted; it stays listed", id, pendingSignal.position(), e);
            }
        }
        bus.listeners.acked(bus.name(), id, pendingSignal.position(), attempt);
    }

    /** Nacks the current attempt of a signal by id; false when it is not pending here. */
    boolean nack(String signalId, Throwable reason) {
        PendingSignal pendingSignal = pending(signalId);
        if (pendingSignal == null) {
            return false;
        }
        nack(pendingSignal, 0, reason);
        return true;
    }

    /** A failed attempt; {@code sequence} 0 means whichever attempt is current. */
    void nack(PendingSignal pendingSignal, long sequence, Throwable reason) {
        List<Failure> failed = new ArrayList<>(1);
        lock.lock();
        try {
            if (pendingSignal.state != State.IN_FLIGHT
                    || (sequence != 0 && pendingSignal.deliverySequence != sequence)) {
                return; // a stale attempt: it already timed out, was redelivered or settled
            }
            inFlight.remove(pendingSignal);
            bus.listeners.nacked(bus.name(), id, pendingSignal.position(), pendingSignal.attempts, reason);
            fail(pendingSignal, reason, bus.clock.instant(), failed);
        } finally {
            lock.unlock();
        }
        failed.forEach(this::settleFailure);
    }

    /** Under the lock: schedule a retry, or mark for dead-lettering once attempts are used up. */
    private void fail(PendingSignal pendingSignal, Throwable reason, Instant now, List<Failure> failed) {
        pendingSignal.lastFailure = reason;
        lastError = reason.getClass().getName() + ": " + reason.getMessage();
        boolean deadLetter = pendingSignal.attempts >= maxAttempts || reason instanceof PermanentFailure;
        if (deadLetter) {
            pendingSignal.state = State.SETTLING;
        } else {
            pendingSignal.state = State.WAITING;
            pendingSignal.retryAt = now.plus(bus.retry.delayAfter(pendingSignal.attempts, bus.random));
            waiting.add(pendingSignal);
            changed.signal();
        }
        failed.add(new Failure(pendingSignal, deadLetter, pendingSignal.attempts));
    }

    /** What to write for a failed attempt, decided under the lock and written outside it. */
    private record Failure(PendingSignal signal, boolean deadLetter, int attempts) {
    }

    /**
     * Outside the lock: record the attempt count, or write the dead letter. The checkpoint cannot pass
     * a signal until its dead letter is durable: it stays pending (SETTLING) until then.
     */
    private void settleFailure(Failure failure) {
        PendingSignal pendingSignal = failure.signal();
        if (!failure.deadLetter()) {
            if (!pendingSignal.redrive) {
                try {
                    bus.store.saveAttempts(bus.name(), id, pendingSignal.position(), failure.attempts());
                } catch (RuntimeException e) {
                    log.warn("subscription '{}': could not record attempt {} of position {}; a restart may retry it"
                            + " more often", id, failure.attempts(), pendingSignal.position(), e);
                }
            }
            return;
        }
        Throwable reason = pendingSignal.lastFailure;
        var deadLetter = new DeadLetter(id, pendingSignal.position(), pendingSignal.recorded.signal(),
                pendingSignal.attempts, reason == null ? "unknown" : reason.getClass().getName(),
                reason == null ? null : reason.getMessage(), bus.clock.instant());
        try {
            bus.store.addDeadLetter(bus.name(), deadLetter);
        } catch (RuntimeException e) {
            log.error("subscription '{}': could not store the dead letter of position {}; keeping it pending and"
                    + " trying again in {}", id, pendingSignal.position(), bus.retry.max(), e);
            lock.lock();
            try {
                if (pendingSignal.state == State.SETTLING) {
                    pendingSignal.state = State.WAITING;
                    pendingSignal.retryAt = bus.clock.instant().plus(bus.retry.max());
                    waiting.add(pendingSignal);
                }
            } finally {
                lock.unlock();
            }
            return;
        }
        log.warn("subscription '{}' on bus '{}': signal {} (position {}, type {}) dead-lettered after {} attempts: {}",
                id, bus.name(), pendingSignal.signalId(), pendingSignal.position(),
                pendingSignal.recorded.signal().type(), pendingSignal.attempts, deadLetter.errorType());
        lock.lock();
        try {
            remove(pendingSignal);
            settledSinceFlush++;
            changed.signal();
        } finally {
            lock.unlock();
        }
        bus.listeners.deadLettered(bus.name(), deadLetter);
    }

    /** Under the lock: forget a settled signal wherever it is. */
    private void remove(PendingSignal pendingSignal) {
        switch (pendingSignal.state) {
            case IN_FLIGHT -> inFlight.remove(pendingSignal);
            case WAITING -> waiting.remove(pendingSignal);
            case READY -> {
                ready.remove(pendingSignal);
                redriveQueue.remove(pendingSignal);
            }
            default -> {
            }
        }
        pendingSignal.state = State.SETTLED;
        byId.remove(pendingSignal.signalId());
        if (pendingSignal.redrive) {
            redriving--;
        } else {
            pending.remove(pendingSignal.position());
        }
    }

    // ------------------------------------------------------------------ claim

    /**
     * Claims the subscription, or renews the claim a third into the lease; false while another
     * process holds it (this worker then stands by and tries again every poll interval).
     */
    private boolean holdClaim() {
        if (claimed && bus.clock.instant().isBefore(renewAt)) {
            return true;
        }
        synchronized (claimMonitor) {
            Instant now = bus.clock.instant();
            if (claimed && now.isBefore(renewAt)) {
                return true;
            }
            if (!claimed && System.nanoTime() - nextClaimAttemptNanos < 0) {
                return false;
            }
            boolean held;
            try {
                held = bus.store.claim(bus.name(), id, bus.instanceId, now, now.plus(bus.claimLease));
            } catch (RuntimeException e) {
                // the store is unreachable: nobody else can claim through it either, so keep serving
                // until our lease would have run out
                held = claimed && now.isBefore(leaseUntil);
                log.warn("subscription '{}' on bus '{}': could not renew the claim ({}); {}", id, bus.name(),
                        e.getMessage(), held ? "still within the lease" : "standing by", e);
                if (held) {
                    renewAt = now.plus(bus.pollInterval);
                    return true;
                }
            }
            if (held) {
                if (!claimed) {
                    resume();
                }
                leaseUntil = now.plus(bus.claimLease);
                renewAt = now.plus(bus.claimLease.dividedBy(3));
                claimed = true;
            } else {
                if (claimed) {
                    claimed = false;
                    standBy();
                }
                nextClaimAttemptNanos = System.nanoTime() + bus.pollInterval.toNanos();
            }
            return held;
        }
    }

    /** Just claimed: start from the stored checkpoint, which another process may have moved. */
    private void resume() {
        var record = bus.store.findSubscription(bus.name(), id).orElseThrow(
                () -> new SubscriptionNotFoundException(bus.name(), id));
        Map<Long, Integer> attempts = bus.store.attempts(bus.name(), id, record.checkpoint().position());
        lock.lock();
        try {
            forgetAll();
            cursor = record.checkpoint().position();
            cursorTime = record.checkpoint().time();
            fetched = cursor;
            flushed = record.checkpoint();
            priorAttempts = new HashMap<>(attempts);
            nextReadNanos = System.nanoTime();
        } finally {
            lock.unlock();
        }
        log.info("subscription '{}' on bus '{}' is served by this process ({}) from checkpoint {}", id, bus.name(),
                bus.instanceId, flushed.position());
    }

    /** Lost the claim: another process serves the subscription now; forget everything in flight. */
    private void standBy() {
        lock.lock();
        try {
            forgetAll();
        } finally {
            lock.unlock();
        }
        log.warn("subscription '{}' on bus '{}': another process claimed it; this process ({}) stands by", id,
                bus.name(), bus.instanceId);
    }

    /** Under the lock: drop every pending signal; late acks of them become no-ops. */
    private void forgetAll() {
        generation++; // a read on its way started from what is forgotten: its page is dropped
        reading = false;
        byId.values().forEach(p -> p.state = State.SETTLED);
        pending.clear();
        byId.clear();
        ready.clear();
        redriveQueue.clear();
        waiting.clear();
        inFlight.clear();
        buffer.clear();
        early.clear();
        earlySignals = 0;
        redriving = 0;
        settledSinceFlush = 0;
    }

    /** Whether this process currently serves the subscription. */
    boolean isClaimed() {
        return claimed;
    }

    // ------------------------------------------------------------------ checkpoint

    /** The low-water mark: just below the oldest unsettled signal, or the cursor when none is pending. */
    Checkpoint checkpoint() {
        lock.lock();
        try {
            var oldest = pending.firstEntry();
            return oldest == null ? new Checkpoint(cursor, cursorTime)
                    : new Checkpoint(oldest.getValue().previousPosition, oldest.getValue().previousTime);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Writes the checkpoint when enough acks have come or the interval has passed since the last
     * write. It runs after every delivery, so it only starts the write, on a bus background thread:
     * dispatchers never wait for a commit. {@link #finishCheckpointWrites} writes at once, on stop.
     */
    private void maybeFlush() {
        lock.lock();
        try {
            // cheap tests first; only the process that serves the subscription writes its checkpoint
            boolean due = !flushing && claimed && running && (settledSinceFlush >= bus.checkpointFlushCount
                    || !bus.clock.instant().isBefore(lastFlushAt.plus(bus.checkpointFlushInterval)));
            if (!due || checkpoint().position() == flushed.position()) {
                return;
            }
            flushing = true;
        } finally {
            lock.unlock();
        }
        bus.inBackground(this::writeCheckpoint);
    }

    /**
     * On stop: waits for a checkpoint write on its way (it must not land after the caller moves or
     * deletes the checkpoint), then, if {@code writeLast}, writes the checkpoint if it moved.
     */
    private void finishCheckpointWrites(boolean writeLast) {
        lock.lock();
        try {
            awaitNoFlush();
            if (!writeLast || !claimed || checkpoint().position() == flushed.position()) {
                return;
            }
            flushing = true;
        } finally {
            lock.unlock();
        }
        writeCheckpoint();
    }

    /** Under the lock: waits until no checkpoint write is on its way. */
    private void awaitNoFlush() {
        boolean interrupted = false;
        while (flushing) {
            try {
                changed.await();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes the checkpoint as it is now, unless the claim was lost meanwhile; the caller has set {@link #flushing}. */
    private void writeCheckpoint() {
        Checkpoint target;
        int settled;
        lock.lock();
        try {
            if (!claimed) {
                flushing = false; // another process serves the subscription now and writes its own
                changed.signalAll();
                return;
            }
            target = checkpoint();
            settled = settledSinceFlush;
        } finally {
            lock.unlock();
        }
        boolean written = false;
        try {
            bus.store.saveCheckpoint(bus.name(), id, target);
            written = true;
        } catch (RuntimeException e) {
            log.warn("subscription '{}' on bus '{}': could not write checkpoint {}; will retry", id, bus.name(),
                    target.position(), e);
        } finally {
            lock.lock();
            try {
                flushing = false;
                if (written) {
                    flushed = target;
                    settledSinceFlush = Math.max(0, settledSinceFlush - settled);
                    lastFlushAt = bus.clock.instant();
                }
                changed.signalAll(); // a stop may be waiting for this write
            } finally {
                lock.unlock();
            }
        }
        if (written) {
            bus.listeners.checkpointed(bus.name(), id, target);
        }
    }

    // ------------------------------------------------------------------ control

    /** Attaches a new handler; everything delivered and unacked is redelivered to it at once. */
    void reconnect(SignalHandler newHandler) {
        lock.lock();
        try {
            handler = newHandler;
            var redeliver = new ArrayList<PendingSignal>(inFlight);
            redeliver.addAll(waiting);
            inFlight.clear();
            waiting.clear();
            redeliver.sort(Comparator.comparingLong(PendingSignal::position).reversed());
            for (PendingSignal p : redeliver) {
                p.state = State.READY;
                if (p.redrive) {
                    redriveQueue.addFirst(p);
                } else {
                    ready.addFirst(p);
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Queues dead letters for redelivery ahead of new signals; skips those already redriving. */
    int redrive(List<DeadLetter> deadLetters) {
        int count = 0;
        lock.lock();
        try {
            for (DeadLetter deadLetter : deadLetters) {
                if (byId.containsKey(deadLetter.signal().id())) {
                    continue;
                }
                var recorded = new RecordedSignal(deadLetter.position(), deadLetter.signal(), bus.clock.instant());
                var pendingSignal = new PendingSignal(recorded, deadLetter.position() - 1, null, true);
                byId.put(pendingSignal.signalId(), pendingSignal);
                redriveQueue.add(pendingSignal);
                redriving++;
                count++;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return count;
    }

    /** Whether a signal with this id is delivered or queued here and not yet settled. */
    boolean isPending(String signalId) {
        return pending(signalId) != null;
    }

    /** Whether the signal at {@code position} is settled here (acked, dead-lettered or not matching). */
    boolean isSettled(long position) {
        lock.lock();
        try {
            return position <= cursor && !pending.containsKey(position);
        } finally {
            lock.unlock();
        }
    }

    int concurrency() {
        return concurrency;
    }

    SignalHandler handler() {
        return handler;
    }

    /** Deliveries handed out and unacked. */
    int inFlightCount() {
        lock.lock();
        try {
            return unacked();
        } finally {
            lock.unlock();
        }
    }

    @Nullable String lastError() {
        lock.lock();
        try {
            return lastError;
        } finally {
            lock.unlock();
        }
    }

    /** Asks the dispatcher threads to stop after their current delivery. */
    void signalStop() {
        lock.lock();
        try {
            running = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops: waits for running handlers up to {@code timeout}, then writes the checkpoint. Unacked
     * deliveries are redelivered by the next process that serves the subscription.
     */
    void awaitStop(Duration timeout, boolean flush) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread thread : threads) {
            if (thread == Thread.currentThread()) {
                continue;
            }
            try {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                log.warn("subscription '{}' on bus '{}': handler still running after {}; interrupting {}", id,
                        bus.name(), timeout, thread.getName());
                thread.interrupt();
            }
        }
        finishCheckpointWrites(flush);
        synchronized (claimMonitor) {
            if (claimed) {
                claimed = false;
                try {
                    bus.store.release(bus.name(), id, bus.instanceId);
                } catch (RuntimeException e) {
                    log.warn("subscription '{}' on bus '{}': could not release the claim; another process can take"
                            + " it over when the lease ends", id, bus.name(), e);
                }
            }
        }
        log.debug("persistent subscription '{}' on bus '{}' stopped at checkpoint {}", id, bus.name(), flushed);
    }
}
