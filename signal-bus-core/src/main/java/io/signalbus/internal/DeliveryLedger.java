package io.signalbus.internal;

import io.signalbus.Checkpoint;
import io.signalbus.DeadLetter;
import io.signalbus.PermanentFailure;
import io.signalbus.RecordedSignal;
import io.signalbus.RetryPolicy;
import io.signalbus.Signal;
import io.signalbus.internal.PendingSignal.State;
import io.signalbus.router.SignalPattern;
import io.signalbus.store.SignalSize;
import io.signalbus.store.UndecodableSignals;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * The delivery state of one persistent subscription and its low-water mark: which matching signals
 * are pending, ready, in flight, waiting for a retry or redriven, and the checkpoint they allow.
 *
 * <p>Pure state: no threads, no I/O, no clock of its own (callers pass {@code now}). Not thread-safe:
 * its worker guards it with one lock.
 */
final class DeliveryLedger {

    /** What to write for a failed attempt: the attempt count to record, or the dead letter. */
    record Failure(PendingSignal signal, boolean deadLetter, int attempts) {
    }

    /** Bytes of pending signals past which no more are taken in (one always is): large signals bound memory too. */
    static final long MAX_PENDING_BYTES = 32L << 20;

    private final SignalPattern pattern;
    private final int maxInFlight;
    private final int maxAttempts;
    private final Duration ackTimeout;
    private final RetryPolicy retry;
    private final RandomGenerator random;
    private final long maxPendingBytes;

    /** Matching signals above the checkpoint that are not settled, by position. */
    private final TreeMap<Long, PendingSignal> pending = new TreeMap<>();
    /** Pending and redriven signals by id, for acks by id. */
    private final Map<String, PendingSignal> byId = new HashMap<>();
    /** To deliver now, in position order (a queue by position: in a partition, an unblocked signal may be older). */
    private final PriorityQueue<PendingSignal> ready = new PriorityQueue<>(
            Comparator.comparingLong(PendingSignal::position));
    /** In a partition: which signals it takes, and their per-key order; both null when not partitioned. */
    private final @Nullable PartitionFilter partition;
    private final @Nullable KeyOrder keyOrder;
    /** Dead letters put back for delivery; they go ahead of new signals. */
    private final ArrayDeque<PendingSignal> redriveQueue = new ArrayDeque<>();
    /** Failed, waiting for their retry time. */
    private final PriorityQueue<PendingSignal> waiting = new PriorityQueue<>(
            Comparator.comparing((PendingSignal p) -> p.retryAt).thenComparingLong(PendingSignal::position));
    /** Delivered and unacked, in delivery order, which is deadline order (one ack timeout per subscription). */
    private final LinkedHashSet<PendingSignal> inFlight = new LinkedHashSet<>();
    /** Every position at or below this is pending or settled; with its signal's time. */
    private long cursor;
    private @Nullable Instant cursorTime;
    /** Failed-attempt counts stored by an earlier owner, by position, until their signals come. */
    private Map<Long, Integer> priorAttempts = new HashMap<>();
    private int redriving;
    /** {@link SignalSize} of the pending signals. */
    private long pendingBytes;
    private long deliveries;
    /** Signals settled (acked or dead-lettered) since the ledger was made: the checkpoint writer counts with it. */
    private long settled;

    DeliveryLedger(SignalPattern pattern, int maxInFlight, int maxAttempts, Duration ackTimeout, RetryPolicy retry,
            RandomGenerator random, Checkpoint start) {
        this(pattern, maxInFlight, maxAttempts, ackTimeout, retry, random, start, MAX_PENDING_BYTES, null);
    }

    /** {@code partition}: the partition this ledger serves, whose keys it keeps in order; null when not partitioned. */
    DeliveryLedger(SignalPattern pattern, int maxInFlight, int maxAttempts, Duration ackTimeout, RetryPolicy retry,
            RandomGenerator random, Checkpoint start, long maxPendingBytes, @Nullable PartitionFilter partition) {
        this.maxPendingBytes = maxPendingBytes;
        this.partition = partition;
        this.keyOrder = partition == null ? null : new KeyOrder();
        this.pattern = pattern;
        this.maxInFlight = maxInFlight;
        this.maxAttempts = maxAttempts;
        this.ackTimeout = ackTimeout;
        this.retry = retry;
        this.random = random;
        this.cursor = start.position();
        this.cursorTime = start.time();
    }

    // ------------------------------------------------------------------ handing out

    /**
     * Picks the next signal to hand out: a due retry, then (below {@code maxInFlight}) a redriven
     * dead letter, then the next new signal, taking signals from {@code source} into the window while
     * it has room. The signal comes back {@code IN_FLIGHT} with its attempt counted, or
     * {@code SETTLING} when its attempts were already used up (its dead-letter write failed before and
     * must be tried again instead of a delivery).
     */
    @Nullable PendingSignal take(Instant now, Supplier<@Nullable RecordedSignal> source) {
        PendingSignal next = nextToDeliver(now, source);
        if (next == null) {
            return null;
        }
        if (next.attempts >= maxAttempts) {
            next.state = State.SETTLING;
            return next;
        }
        if (UndecodableSignals.isPlaceholder(next.recorded.signal())) {
            // a row the store could not decode: no handler can use it, so it is dead-lettered unattempted
            next.lastFailure = UndecodableSignals.failure(next.recorded);
            next.state = State.SETTLING;
            return next;
        }
        next.attempts++;
        next.state = State.IN_FLIGHT;
        next.deadline = now.plus(ackTimeout);
        next.deliverySequence = ++deliveries;
        inFlight.add(next);
        return next;
    }

    private @Nullable PendingSignal nextToDeliver(Instant now, Supplier<@Nullable RecordedSignal> source) {
        PendingSignal due = waiting.peek();
        if (due != null && !Objects.requireNonNull(due.retryAt, "retryAt").isAfter(now)) { // set when it waits
            return waiting.poll();
        }
        if (unacked() >= maxInFlight) {
            return null;
        }
        if (!redriveQueue.isEmpty()) {
            return redriveQueue.poll();
        }
        if (ready.isEmpty()) {
            admit(source);
        }
        return ready.poll();
    }

    /**
     * Moves signals from {@code source} into the pending window while it has room, in signals
     * ({@code maxInFlight}) and in bytes ({@code maxPendingBytes}, always at least one signal); skips
     * non-matching ones (a placeholder of an undecodable row always matches: it is dead-lettered) and,
     * in a partition, those of other partitions. In a partition, a signal whose key has an older
     * pending signal is admitted blocked ({@link KeyOrder}).
     */
    private void admit(Supplier<@Nullable RecordedSignal> source) {
        RecordedSignal recorded;
        while (pending.size() + redriving < maxInFlight && (pending.isEmpty() || pendingBytes < maxPendingBytes)
                && (recorded = source.get()) != null) {
            Signal signal = recorded.signal();
            String key = null;
            if ((pattern.matches(signal.type()) || UndecodableSignals.isPlaceholder(signal))
                    && (partition == null || (key = partition.keyIfOwned(signal)) != null)) {
                var pendingSignal = new PendingSignal(recorded, cursor, cursorTime, false);
                Integer attempts = priorAttempts.remove(recorded.position());
                pendingSignal.attempts = attempts == null ? 0 : attempts;
                pending.put(recorded.position(), pendingSignal);
                pendingBytes += pendingSignal.bytes;
                byId.put(pendingSignal.signalId(), pendingSignal);
                if (keyOrder == null || keyOrder.admit(pendingSignal, Objects.requireNonNull(key, "key"))) {
                    ready.add(pendingSignal);
                } else {
                    pendingSignal.state = State.BLOCKED;
                }
            }
            cursor = recorded.position();
            cursorTime = recorded.signal().time();
        }
    }

    /** Fails deliveries whose ack deadline passed, oldest first; empty when none did. */
    List<Failure> expire(Instant now) {
        List<Failure> failed = List.of();
        var it = inFlight.iterator();
        while (it.hasNext()) {
            PendingSignal head = it.next();
            if (Objects.requireNonNull(head.deadline, "deadline").isAfter(now)) { // set when delivered
                break;
            }
            it.remove();
            failed = failed.isEmpty() ? new ArrayList<>() : failed;
            failed.add(fail(head, new TimeoutException("not acked within " + ackTimeout + " (attempt "
                    + head.attempts + ")"), now));
        }
        return failed;
    }

    /** {@code failed} with the dead letter of a signal {@link #take} gave back as settling. */
    static List<Failure> withDeadLetter(List<Failure> failed, PendingSignal settling) {
        List<Failure> all = failed.isEmpty() ? new ArrayList<>(1) : failed;
        all.add(new Failure(settling, true, settling.attempts));
        return all;
    }

    // ------------------------------------------------------------------ outcomes

    /** Settles an acked signal; false when it was already settled or is being dead-lettered. */
    boolean ack(PendingSignal pendingSignal) {
        if (pendingSignal.state == State.SETTLING || pendingSignal.state == State.SETTLED) {
            return false;
        }
        settle(pendingSignal);
        return true;
    }

    /**
     * A failed attempt; {@code sequence} 0 means whichever attempt is current. Null when the attempt
     * is stale: it already timed out, was redelivered or settled.
     */
    @Nullable Failure nack(PendingSignal pendingSignal, long sequence, Throwable reason, Instant now) {
        if (pendingSignal.state != State.IN_FLIGHT || (sequence != 0 && pendingSignal.deliverySequence != sequence)) {
            return null;
        }
        inFlight.remove(pendingSignal);
        return fail(pendingSignal, reason, now);
    }

    /** Schedules a retry, or marks for dead-lettering once attempts are used up or the failure is permanent. */
    private Failure fail(PendingSignal pendingSignal, Throwable reason, Instant now) {
        pendingSignal.lastFailure = reason;
        boolean deadLetter = pendingSignal.attempts >= maxAttempts || reason instanceof PermanentFailure;
        if (deadLetter) {
            pendingSignal.state = State.SETTLING;
        } else {
            pendingSignal.state = State.WAITING;
            pendingSignal.retryAt = now.plus(retry.delayAfter(pendingSignal.attempts, random));
            waiting.add(pendingSignal);
        }
        return new Failure(pendingSignal, deadLetter, pendingSignal.attempts);
    }

    /** The dead letter of a settling signal is durable: the checkpoint may pass it. */
    void deadLettered(PendingSignal pendingSignal) {
        settle(pendingSignal);
    }

    /** The dead letter of a settling signal could not be written: try again at {@code retryAt}. */
    void deadLetterFailed(PendingSignal pendingSignal, Instant retryAt) {
        if (pendingSignal.state == State.SETTLING) {
            pendingSignal.state = State.WAITING;
            pendingSignal.retryAt = retryAt;
            waiting.add(pendingSignal);
        }
    }

    /** Forgets a settled signal wherever it is. */
    private void settle(PendingSignal pendingSignal) {
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
            pendingBytes -= pendingSignal.bytes;
            PendingSignal unblocked = keyOrder == null ? null : keyOrder.settled(pendingSignal);
            if (unblocked != null) {
                unblocked.state = State.READY;
                ready.add(unblocked);
            }
        }
        settled++;
    }

    // ------------------------------------------------------------------ control

    /** A new handler: everything delivered and unacked is handed out again at once, in position order. */
    void redeliverUnacked() {
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
                ready.add(p);
            }
        }
    }

    /** Queues dead letters for redelivery ahead of new signals; skips those already here. Returns how many. */
    int redrive(List<DeadLetter> deadLetters, Instant now) {
        int count = 0;
        for (DeadLetter deadLetter : deadLetters) {
            if (byId.containsKey(deadLetter.signal().id())) {
                continue;
            }
            var recorded = new RecordedSignal(deadLetter.position(), deadLetter.signal(), now);
            var pendingSignal = new PendingSignal(recorded, deadLetter.position() - 1, null, true);
            byId.put(pendingSignal.signalId(), pendingSignal);
            redriveQueue.add(pendingSignal);
            redriving++;
            count++;
        }
        return count;
    }

    /**
     * Drops every pending signal (late acks of them become no-ops) and starts again after
     * {@code checkpoint}, with the failed-attempt counts an earlier owner stored.
     */
    void reset(Checkpoint checkpoint, Map<Long, Integer> storedAttempts) {
        byId.values().forEach(p -> p.state = State.SETTLED);
        pending.clear();
        byId.clear();
        ready.clear();
        redriveQueue.clear();
        waiting.clear();
        inFlight.clear();
        redriving = 0;
        pendingBytes = 0;
        if (keyOrder != null) {
            keyOrder.clear();
        }
        cursor = checkpoint.position();
        cursorTime = checkpoint.time();
        priorAttempts = new HashMap<>(storedAttempts);
    }

    // ------------------------------------------------------------------ queries

    /** The low-water mark: just below the oldest unsettled signal, or the cursor when none is pending. */
    Checkpoint checkpoint() {
        var oldest = pending.firstEntry();
        return oldest == null ? new Checkpoint(cursor, cursorTime)
                : new Checkpoint(oldest.getValue().previousPosition, oldest.getValue().previousTime);
    }

    @Nullable PendingSignal pending(String signalId) {
        return byId.get(signalId);
    }

    /** Whether the signal at {@code position} is settled here (acked, dead-lettered or not matching). */
    boolean isSettled(long position) {
        return position <= cursor && !pending.containsKey(position);
    }

    /** Deliveries handed out and not yet acked, including those waiting for a retry. */
    int unacked() {
        return inFlight.size() + waiting.size();
    }

    long settledCount() {
        return settled;
    }

    /** When a timer of this ledger fires next (a retry or an ack deadline); null when none is set. */
    @Nullable Instant nextTimer() {
        PendingSignal due = waiting.peek();
        Instant next = due != null ? due.retryAt : null;
        if (!inFlight.isEmpty()) {
            Instant deadline = Objects.requireNonNull(inFlight.iterator().next().deadline, "deadline");
            next = next == null || deadline.isBefore(next) ? deadline : next;
        }
        return next;
    }
}
