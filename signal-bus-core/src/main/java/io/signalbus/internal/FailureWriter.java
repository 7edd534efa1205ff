package io.signalbus.internal;

import io.signalbus.DeadLetter;
import io.signalbus.internal.DeliveryLedger.Failure;
import io.signalbus.store.ClaimLostException;
import java.time.Duration;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes what the ledger decided about a failed attempt to the store: the attempt count (so that a
 * poison signal reaches its last attempt across restarts) or the dead letter. The checkpoint cannot
 * pass a signal until its dead letter is durable: the signal stays pending until then.
 *
 * <p>Every write carries the claim's epoch; a write the store refuses for it is never retried: the
 * claim is lost ({@link SubscriptionClaim#refused}).
 *
 * <p>Shares its worker's lock, which it takes only to tell the ledger how a dead-letter write went.
 */
final class FailureWriter {

    private static final Logger log = LoggerFactory.getLogger(FailureWriter.class);

    private final WorkerContext context;
    private final String subscriptionId;
    private final DeliveryLedger ledger;
    private final SubscriptionClaim claim;
    private final ReentrantLock lock;
    private final Condition changed;
    /** Hears why a dead letter could not be written, and null once one is: the checkpoint is stuck meanwhile. */
    private final Consumer<@Nullable String> trouble;
    /** How long to wait before writing a dead letter again after the store refused it. */
    private final Duration deadLetterRetry;

    FailureWriter(WorkerContext context, String subscriptionId, DeliveryLedger ledger, SubscriptionClaim claim,
            ReentrantLock lock, Condition changed, Duration deadLetterRetry, Consumer<@Nullable String> trouble) {
        this.claim = claim;
        this.trouble = trouble;
        this.context = context;
        this.subscriptionId = subscriptionId;
        this.ledger = ledger;
        this.lock = lock;
        this.changed = changed;
        this.deadLetterRetry = deadLetterRetry;
    }

    /** Outside the lock: records the attempt count, or writes the dead letter. */
    void write(Failure failure) {
        PendingSignal pendingSignal = failure.signal();
        if (!failure.deadLetter()) {
            if (!pendingSignal.redrive) {
                try {
                    context.store().saveAttempts(context.busName(), subscriptionId, claim.epoch(),
                            pendingSignal.position(), failure.attempts());
                } catch (ClaimLostException e) {
                    claim.refused(e, "attempt " + failure.attempts() + " of position " + pendingSignal.position());
                } catch (RuntimeException e) {
                    log.warn("subscription '{}': could not record attempt {} of position {}; a restart may retry it"
                            + " more often", subscriptionId, failure.attempts(), pendingSignal.position(), e);
                }
            }
            return;
        }
        Throwable reason = pendingSignal.lastFailure;
        var deadLetter = new DeadLetter(subscriptionId, pendingSignal.position(), pendingSignal.recorded.signal(),
                pendingSignal.attempts, reason == null ? "unknown" : reason.getClass().getName(),
                reason == null ? null : reason.getMessage(), context.clock().instant());
        try {
            context.store().addDeadLetter(context.busName(), claim.epoch(), deadLetter);
        } catch (ClaimLostException e) {
            claim.refused(e, "the dead letter of position " + pendingSignal.position());
            return; // the claim is lost: the ledger was reset, and the new owner delivers the signal again
        } catch (RuntimeException e) {
            log.error("subscription '{}': could not store the dead letter of position {}; keeping it pending and"
                    + " trying again in {}", subscriptionId, pendingSignal.position(), deadLetterRetry, e);
            trouble.accept("cannot store the dead letter of position " + pendingSignal.position()
                    + " (the checkpoint waits for it): " + Errors.describe(e));
            lock.lock();
            try {
                ledger.deadLetterFailed(pendingSignal, context.clock().instant().plus(deadLetterRetry));
            } finally {
                lock.unlock();
            }
            return;
        }
        trouble.accept(null);
        log.warn("subscription '{}' on bus '{}': signal {} (position {}, type {}) dead-lettered after {} attempts: {}",
                subscriptionId, context.busName(), pendingSignal.signalId(), pendingSignal.position(),
                pendingSignal.recorded.signal().type(), pendingSignal.attempts, deadLetter.errorType());
        lock.lock();
        try {
            ledger.deadLettered(pendingSignal);
            changed.signal();
        } finally {
            lock.unlock();
        }
        context.listeners().deadLettered(context.busName(), deadLetter);
    }

    /** A redriven dead letter was acked: it leaves the dead letters. */
    void redriveAcked(PendingSignal pendingSignal) {
        try {
            context.store().deleteDeadLetter(context.busName(), subscriptionId, pendingSignal.position());
        } catch (RuntimeException e) {
            log.warn("subscription '{}': redriven signal at position {} was acked but its dead letter could not be"
                    + " deleted; it stays listed", subscriptionId, pendingSignal.position(), e);
        }
    }
}
