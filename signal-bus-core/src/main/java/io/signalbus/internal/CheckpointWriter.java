package io.signalbus.internal;

import io.signalbus.Checkpoint;
import io.signalbus.store.ClaimLostException;
import java.time.Instant;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes one subscription's low-water mark to the store in batches: after
 * {@code checkpointFlushCount} settled signals or {@code checkpointFlushInterval}, on a background
 * thread so that dispatchers never wait for a commit, one write at a time, and only while this
 * process holds the claim. Each write carries the claim's epoch; a write the store refuses for it is
 * never retried: the claim is lost ({@link SubscriptionClaim#refused}).
 *
 * <p>Shares its worker's lock: {@link #due} and the fields are read under it; the store write happens
 * outside it.
 */
final class CheckpointWriter {

    private static final Logger log = LoggerFactory.getLogger(CheckpointWriter.class);

    private final WorkerContext context;
    private final String subscriptionId;
    private final DeliveryLedger ledger;
    private final SubscriptionClaim claim;
    private final ReentrantLock lock;
    private final Condition changed;
    // --- guarded by lock ---
    private boolean writing;
    private Checkpoint written;
    private long settledAtWrite;
    private Instant lastWriteAt;

    CheckpointWriter(WorkerContext context, String subscriptionId, DeliveryLedger ledger, SubscriptionClaim claim,
            ReentrantLock lock, Condition changed, Checkpoint written) {
        this.context = context;
        this.subscriptionId = subscriptionId;
        this.ledger = ledger;
        this.claim = claim;
        this.lock = lock;
        this.changed = changed;
        this.written = written;
        this.lastWriteAt = context.clock().instant();
    }

    /** Under the lock: the checkpoint is now {@code stored} in the store (just claimed); count from here. */
    void reset(Checkpoint stored) {
        written = stored;
        settledAtWrite = ledger.settledCount();
    }

    /** The checkpoint last written (or found in the store). */
    Checkpoint written() {
        lock.lock();
        try {
            return written;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Starts a write on a background thread when enough signals settled or the interval passed since
     * the last write. Called after every delivery, so the tests are cheap.
     */
    void maybeWrite() {
        lock.lock();
        try {
            boolean due = !writing && claim.isClaimed() && (ledger.settledCount() - settledAtWrite
                    >= context.checkpointFlushCount()
                    || !context.clock().instant().isBefore(lastWriteAt.plus(context.checkpointFlushInterval())));
            if (!due || ledger.checkpoint().position() == written.position()) {
                return;
            }
            writing = true;
        } finally {
            lock.unlock();
        }
        context.background().execute(this::write);
    }

    /**
     * On stop: waits for a write on its way (it must not land after the caller moves or deletes the
     * checkpoint), then, if {@code writeLast}, writes the checkpoint if it moved.
     */
    void finish(boolean writeLast) {
        lock.lock();
        try {
            awaitNoWrite();
            if (!writeLast || !claim.isClaimed() || ledger.checkpoint().position() == written.position()) {
                return;
            }
            writing = true;
        } finally {
            lock.unlock();
        }
        write();
    }

    /** Under the lock: waits until no write is on its way. */
    private void awaitNoWrite() {
        boolean interrupted = false;
        while (writing) {
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

    /** Writes the checkpoint as it is now, unless the claim was lost meanwhile; the caller has set {@link #writing}. */
    private void write() {
        Checkpoint target;
        long settled;
        long epoch;
        lock.lock();
        try {
            if (!claim.isClaimed()) {
                writing = false; // another process serves the subscription now and writes its own
                changed.signalAll();
                return;
            }
            target = ledger.checkpoint();
            settled = ledger.settledCount();
            epoch = claim.epoch();
        } finally {
            lock.unlock();
        }
        boolean done = false;
        ClaimLostException refused = null;
        try {
            context.store().saveCheckpoint(context.busName(), subscriptionId, epoch, target);
            done = true;
        } catch (ClaimLostException e) {
            refused = e; // never retried: another process serves the subscription now
        } catch (RuntimeException e) {
            log.warn("subscription '{}' on bus '{}': could not write checkpoint {}; will retry", subscriptionId,
                    context.busName(), target.position(), e);
        } finally {
            lock.lock();
            try {
                writing = false;
                if (done) {
                    written = target;
                    settledAtWrite = settled;
                    lastWriteAt = context.clock().instant();
                }
                changed.signalAll(); // a stop may be waiting for this write
            } finally {
                lock.unlock();
            }
        }
        if (refused != null) {
            claim.refused(refused, "checkpoint " + target.position());
        }
        if (done) {
            context.listeners().checkpointed(context.busName(), subscriptionId, target);
        }
    }
}
