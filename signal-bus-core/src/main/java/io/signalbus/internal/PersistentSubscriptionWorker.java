package io.signalbus.internal;

import io.signalbus.Checkpoint;
import io.signalbus.DeadLetter;
import io.signalbus.RecordedSignal;
import io.signalbus.SignalHandler;
import io.signalbus.SubscriptionNotFoundException;
import io.signalbus.internal.DeliveryLedger.Failure;
import io.signalbus.internal.PendingSignal.State;
import io.signalbus.router.SignalPattern;
import io.signalbus.store.SubscriptionRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the dispatcher threads of one persistent subscription in this process: while it holds the
 * claim, it moves signals from the {@link SubscriptionFeed} through the {@link DeliveryLedger} to the
 * handler, and writes what the ledger decides (attempt counts, dead letters) to the store.
 *
 * <p>One lock guards the feed, the ledger and the checkpoint writer; store I/O and handler calls
 * happen outside it. {@code concurrency} {@link DispatcherThreads} run {@link #step()}.
 */
final class PersistentSubscriptionWorker implements SubscriptionClaim.Holder {

    private static final Logger log = LoggerFactory.getLogger(PersistentSubscriptionWorker.class);

    /** The id of the record it serves: the subscription's, or its partition's ({@link Partitions}). */
    final String id;
    /** The subscription's id, as deliveries and listeners name it. */
    final String subscriptionId;
    final SignalPattern pattern;
    final int priority;
    final long sequence;
    private final WorkerContext context;
    private final int concurrency;
    private volatile SignalHandler handler;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final SubscriptionFeed feed;
    private final HandlerPermits permits; // handler calls at a time, shared with the other partitions here
    private final DeliveryLedger ledger;
    private final SubscriptionClaim claim;
    private final CheckpointWriter checkpoints;
    private final FailureWriter failures;
    private final Handoff handoff;
    private volatile boolean running = true;
    private final WorkerTrouble trouble = new WorkerTrouble();
    private volatile @Nullable DispatcherThreads dispatchers;

    /** Serves {@code record}: a subscription, or a {@code partition} of one, while {@code assigned} says so. */
    PersistentSubscriptionWorker(WorkerContext context, SubscriptionRecord record, String subscriptionId,
            @Nullable PartitionFilter partition, BooleanSupplier assigned, SubscriptionSettings settings,
            SignalHandler handler, HandlerPermits permits, long sequence) {
        this.permits = permits;
        this.context = context;
        this.sequence = sequence;
        this.id = record.subscriptionId();
        this.subscriptionId = subscriptionId;
        this.pattern = SignalPattern.compile(record.pattern());
        this.priority = record.priority();
        this.concurrency = settings.concurrency();
        this.handler = handler;
        this.feed = new SubscriptionFeed(context.readBatchSize(), context.pollInterval().toNanos(),
                record.checkpoint().position(), System.nanoTime());
        this.ledger = new DeliveryLedger(pattern, record.maxInFlight(), record.maxAttempts(), record.ackTimeout(),
                settings.retry(), context.random(), record.checkpoint(), DeliveryLedger.MAX_PENDING_BYTES, partition);
        this.claim = new SubscriptionClaim(context, id, this, assigned);
        this.checkpoints = new CheckpointWriter(context, id, ledger, claim, lock, changed, record.checkpoint());
        this.handoff = new Handoff(context, id, assigned, lock, ledger, checkpoints, claim, this::forget);
        this.failures = new FailureWriter(context, id, ledger, claim, lock, changed, settings.retry().max(),
                trouble::deadLetter);
    }

    void start() {
        try {
            claim.hold(); // at once, so that status() right after subscribe says ACTIVE or STANDBY
        } catch (RuntimeException e) { // the dispatchers try again with backoff; status says why meanwhile
            trouble.dispatch(e);
            log.warn("subscription '{}' on bus '{}' could not resume: {}", id, context.busName(), trouble.lastError());
        }
        dispatchers = new DispatcherThreads("signal-bus-" + context.busName() + "-" + id, concurrency, this::step,
                context.pollInterval(), trouble::dispatch);
        log.debug("persistent subscription '{}' on bus '{}' started at checkpoint {}", id, context.busName(),
                checkpoints.written());
    }

    /** One turn of the dispatcher: claim, expire, pick, read ahead, deliver. False once the worker stops. */
    private boolean step() {
        boolean claimed = claim.hold() && !handoff.handingOff();
        WorkerDelivery delivery = null;
        SubscriptionFeed.Read read = null;
        List<Failure> failed;
        lock.lock();
        try {
            if (!running) {
                return false;
            }
            Instant now = context.clock().instant();
            if (!claimed) {
                awaitChange(now, false);
                return true;
            }
            failed = ledger.expire(now);
            for (Failure timedOut : failed) {
                Throwable reason = timedOut.signal().lastFailure;
                if (reason != null) {
                    trouble.failed(Errors.describe(reason));
                }
                context.listeners().timedOut(context.busName(), subscriptionId, timedOut.signal().position(),
                        timedOut.attempts());
            }
            PendingSignal next = ledger.take(now, feed::poll);
            if (next != null && next.state == State.SETTLING) { // its dead letter failed before: write it again
                failed = DeliveryLedger.withDeadLetter(failed, next);
            } else if (next != null) {
                delivery = new WorkerDelivery(this, next, next.deliverySequence, next.attempts);
            }
            read = feed.startReadIfDue(System.nanoTime());
            if (read == null && delivery == null && failed.isEmpty()) {
                awaitChange(now, true);
                return true;
            }
        } finally {
            lock.unlock();
        }
        if (read != null) {
            SubscriptionFeed.Read page = read;
            context.background().execute(() -> readFromStore(page));
        }
        failed.forEach(failures::write);
        if (delivery != null) { // delivered only if the claim it was taken under is held still (HandlerPermits)
            WorkerDelivery taken = delivery;
            permits.run(() -> taken.run(handler, context.listeners(), context.busName()), claim, claim.epoch());
        }
        if (running) {
            checkpoints.maybeWrite();
        }
        return true;
    }

    /** Under the lock: sleeps until something changes, a timer is due or the poll interval passes. */
    private void awaitChange(Instant now, boolean claimed) {
        long waitNanos = context.pollInterval().toNanos();
        if (claimed && feed.canReadAhead()) {
            // a read is due soon (a held hand-off waits for a lower one): wake up for it
            waitNanos = Math.min(waitNanos, Math.max(1, feed.nanosUntilRead(System.nanoTime())));
        }
        Instant timer = ledger.nextTimer();
        if (timer != null) {
            waitNanos = Math.min(waitNanos, Math.max(1, Duration.between(now, timer).toNanos()));
        }
        try {
            changed.awaitNanos(waitNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** On a background thread: reads the next page of the log into the feed. */
    private void readFromStore(SubscriptionFeed.Read read) {
        List<RecordedSignal> page = List.of();
        boolean failed = false;
        try {
            page = context.store().read(context.busName(), read.after(), context.readBatchSize(),
                    feed.pageBytes());
            trouble.read(null);
        } catch (Throwable e) { // an Error too: a read that never comes back would stall the subscription
            failed = true;
            trouble.read("cannot read the log after position " + read.after() + ": " + Errors.describe(e));
            log.warn("persistent subscription '{}' on bus '{}' could not read the log after position {}; retrying"
                    + " in {}", id, context.busName(), read.after(), context.pollInterval(), e);
        }
        lock.lock();
        try {
            if (feed.readDone(read, page, failed, System.nanoTime())) {
                changed.signalAll(); // the dispatchers may deliver what came, or read again
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Signals just committed through this bus, handed on in position order by the publisher's commit;
     * wakes a dispatcher when one of them matches. Quick: it never touches the store.
     */
    void handOn(List<RecordedSignal> committed, boolean matches) {
        lock.lock();
        try {
            feed.handOn(committed, System.nanoTime());
            if (matches) {
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** The log grew elsewhere (another process appended): reads now rather than at the next poll. */
    void readSoon() {
        changing(() -> feed.readSoon(System.nanoTime()));
    }

    /** Acks a signal by id; false when it is not pending here (the bus then decides what that means). */
    boolean ack(String signalId) {
        PendingSignal pendingSignal = locked(() -> ledger.pending(signalId));
        if (pendingSignal != null) {
            ack(pendingSignal);
        }
        return pendingSignal != null;
    }

    void ack(PendingSignal pendingSignal) {
        int attempt;
        lock.lock();
        try {
            if (!ledger.ack(pendingSignal)) {
                return;
            }
            attempt = pendingSignal.attempts;
            changed.signal();
        } finally {
            lock.unlock();
        }
        if (pendingSignal.redrive) {
            failures.redriveAcked(pendingSignal);
        }
        context.listeners().acked(context.busName(), subscriptionId, pendingSignal.position(), attempt);
    }

    /** Nacks the current attempt of a signal by id; false when it is not pending here. */
    boolean nack(String signalId, Throwable reason) {
        PendingSignal pendingSignal = locked(() -> ledger.pending(signalId));
        if (pendingSignal != null) {
            nack(pendingSignal, 0, reason);
        }
        return pendingSignal != null;
    }

    /** A failed attempt; {@code sequence} 0 means whichever attempt is current. */
    void nack(PendingSignal pendingSignal, long sequence, Throwable reason) {
        Failure failure;
        lock.lock();
        try {
            failure = ledger.nack(pendingSignal, sequence, reason, context.clock().instant());
            if (failure == null) {
                return;
            }
            if (!failure.deadLetter()) {
                changed.signal(); // a dispatcher waits for the retry time
            }
        } finally {
            lock.unlock();
        }
        trouble.failed(Errors.describe(reason));
        context.listeners().nacked(context.busName(), subscriptionId, pendingSignal.position(), failure.attempts(),
                reason);
        failures.write(failure);
    }

    @Override
    public void claimed() {
        var record = context.store().findSubscription(context.busName(), id).orElseThrow(
                () -> new SubscriptionNotFoundException(context.busName(), id));
        Checkpoint stored = record.checkpoint();
        Map<Long, Integer> attempts = context.store().attempts(context.busName(), id, stored.position());
        lock.lock();
        try {
            ledger.reset(stored, attempts);
            feed.reset(stored.position(), System.nanoTime());
            checkpoints.reset(stored);
        } finally {
            lock.unlock();
        }
        log.info("subscription '{}' on bus '{}' is served by this process ({}) from checkpoint {}", id,
                context.busName(), context.instanceId(), stored.position());
    }

    @Override
    public void lost() {
        forget();
        log.warn("subscription '{}' on bus '{}': another process claimed it; this process ({}) stands by", id,
                context.busName(), context.instanceId());
    }

    /** Forgets every pending delivery (late acks become no-ops): whoever serves next delivers them again. */
    private void forget() {
        changing(() -> {
            Checkpoint checkpoint = ledger.checkpoint();
            ledger.reset(checkpoint, Map.of());
            feed.reset(checkpoint.position(), System.nanoTime());
            return true;
        });
    }

    /** Whether this process currently serves the subscription. */
    boolean isClaimed() {
        return claim.isClaimed();
    }

    /** The low-water mark as this process knows it. */
    Checkpoint checkpoint() {
        return locked(() -> ledger.checkpoint());
    }

    /** Attaches a new handler; everything delivered and unacked is redelivered to it at once. */
    void reconnect(SignalHandler newHandler) {
        changing(() -> {
            handler = newHandler;
            ledger.redeliverUnacked();
            return true;
        });
    }

    /** Queues dead letters for redelivery ahead of new signals; skips those already redriving. */
    int redrive(List<DeadLetter> deadLetters) {
        return changing(() -> ledger.redrive(deadLetters, context.clock().instant()));
    }

    /** Whether a signal with this id is delivered or queued here and not yet settled. */
    boolean isPending(String signalId) {
        return locked(() -> ledger.pending(signalId)) != null;
    }

    /** Whether the signal at {@code position} is settled here (acked, dead-lettered or not matching). */
    boolean isSettled(long position) {
        return locked(() -> ledger.isSettled(position));
    }

    SignalHandler handler() {
        return handler;
    }

    /** Deliveries handed out and unacked. */
    int inFlightCount() {
        return locked(() -> ledger.unacked());
    }

    /** What is wrong with it, if anything. */
    WorkerTrouble trouble() {
        return trouble;
    }

    private <T> T locked(Supplier<T> read) {
        lock.lock();
        try {
            return read.get();
        } finally {
            lock.unlock();
        }
    }

    /** Under the lock, then wakes the dispatchers to act on the change. */
    private <T> T changing(Supplier<T> change) {
        lock.lock();
        try {
            return change.get();
        } finally {
            changed.signalAll();
            lock.unlock();
        }
    }

    /** Asks the dispatcher threads to stop after their current delivery. */
    void signalStop() {
        changing(() -> running = false);
        DispatcherThreads running = dispatchers;
        if (running != null) {
            running.stop();
        }
    }

    /**
     * Stops: waits for running handlers up to {@code timeout}, then writes the checkpoint (if
     * {@code flush}) and gives up the claim. Unacked deliveries are redelivered by the next process
     * that serves the subscription.
     */
    void awaitStop(Duration timeout, boolean flush) {
        DispatcherThreads running = dispatchers;
        if (running != null) {
            running.join(timeout);
        }
        checkpoints.finish(flush);
        claim.release();
        log.debug("persistent subscription '{}' on bus '{}' stopped at checkpoint {}", id, context.busName(),
                checkpoints.written());
    }
}
