package io.signalbus.internal;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cooperative handoff of a partition this process holds but should no longer serve (the live members
 * assign it to another, {@link Membership}): the worker stops taking new signals, waits for its
 * unacked deliveries at most one claim lease, writes its checkpoint, forgets its delivery state and
 * releases the claim, so that the new owner starts at once from that checkpoint. Deliveries still
 * unacked when the bound passes are delivered again by the new owner (at least once).
 */
final class Handoff {

    private static final Logger log = LoggerFactory.getLogger(Handoff.class);

    private final WorkerContext context;
    private final String partitionId;
    private final BooleanSupplier assigned;
    private final ReentrantLock lock;
    private final DeliveryLedger ledger;
    private final CheckpointWriter checkpoints;
    private final SubscriptionClaim claim;
    private final Runnable forget;
    /** When the wait for unacked deliveries ends ({@link System#nanoTime}); 0 while not handing off. */
    private long deadlineNanos;

    Handoff(WorkerContext context, String partitionId, BooleanSupplier assigned, ReentrantLock lock,
            DeliveryLedger ledger, CheckpointWriter checkpoints, SubscriptionClaim claim, Runnable forget) {
        this.context = context;
        this.partitionId = partitionId;
        this.assigned = assigned;
        this.lock = lock;
        this.ledger = ledger;
        this.checkpoints = checkpoints;
        this.claim = claim;
        this.forget = forget;
    }

    /**
     * With the claim held: false while this process should serve the partition; else true, and the
     * next step of the handoff is done (wait for unacked deliveries, or write, forget and release).
     */
    boolean handingOff() {
        if (assigned.getAsBoolean()) {
            lock.lock();
            try {
                deadlineNanos = 0; // assigned back before it was released: serve on
            } finally {
                lock.unlock();
            }
            return false;
        }
        long now = System.nanoTime();
        lock.lock();
        try {
            if (deadlineNanos == 0) {
                deadlineNanos = now + context.claimLease().toNanos();
                log.info("partition '{}' on bus '{}' is assigned to another process; handing it off after {} unacked"
                        + " deliveries (at most {})", partitionId, context.busName(), ledger.unacked(),
                        context.claimLease());
            }
            if (ledger.unacked() > 0 && now - deadlineNanos < 0) {
                return true;
            }
            deadlineNanos = 0;
        } finally {
            lock.unlock();
        }
        checkpoints.finish(true);
        forget.run();
        claim.release();
        log.info("partition '{}' on bus '{}' handed off at checkpoint {}", partitionId, context.busName(),
                checkpoints.written().position());
        return true;
    }
}
