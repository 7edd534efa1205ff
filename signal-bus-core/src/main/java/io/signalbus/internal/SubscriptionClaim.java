package io.signalbus.internal;

import io.signalbus.store.ClaimLostException;
import io.signalbus.store.Lease;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's claim on one persistent subscription: a lease in the store, so that one process at
 * a time serves it. Taken and renewed a third into the lease by {@link #hold()} (timed on this JVM's
 * monotonic clock; the store decides on its own clock when a lease has ended); while another process
 * holds it, tried again every poll interval.
 *
 * <p>Every write of the subscription's state carries the claim's {@link #epoch()}; the store refuses it
 * once another claim has been taken ({@link ClaimLostException}). The writer then hands the refusal to
 * {@link #refused}, which drops the claim: this process stops delivering and never retries the write.
 */
final class SubscriptionClaim {

    /** What the holder does when the claim changes hands. */
    interface Holder {
        /** Just claimed: start from the stored checkpoint, which another process may have moved. */
        void claimed();

        /** Lost the claim: another process serves the subscription now. */
        void lost();
    }

    private static final Logger log = LoggerFactory.getLogger(SubscriptionClaim.class);
    private static final Holder NO_HOLDER = new Holder() {
        @Override
        public void claimed() {
        }

        @Override
        public void lost() {
        }
    };

    private final WorkerContext context;
    private final String subscriptionId;
    private final Holder holder;
    /** Whether this process should serve the subscription (a partition may be assigned to another). */
    private final BooleanSupplier assigned;
    private volatile boolean claimed;
    private volatile long epoch;
    private volatile long renewAtNanos;
    private long leaseEndNanos;
    private long nextAttemptNanos;

    SubscriptionClaim(WorkerContext context, String subscriptionId, Holder holder, BooleanSupplier assigned) {
        this.context = context;
        this.subscriptionId = subscriptionId;
        this.holder = holder;
        this.assigned = assigned;
        this.nextAttemptNanos = System.nanoTime();
    }

    /** A claim with nobody to tell: for a short operation that must exclude the serving process. */
    SubscriptionClaim(WorkerContext context, String subscriptionId) {
        this(context, subscriptionId, NO_HOLDER, () -> true);
    }

    /**
     * Claims the subscription, or renews the claim a third into the lease; false while another
     * process holds it, or while this process should not serve it (not assigned here: it does not try).
     * Calls the holder when the claim is won or lost (and both when the store granted it again under
     * a new epoch: another process may have served it in between).
     */
    boolean hold() {
        if (claimed && System.nanoTime() - renewAtNanos < 0) {
            return true;
        }
        synchronized (this) {
            long now = System.nanoTime();
            if (claimed && now - renewAtNanos < 0) {
                return true;
            }
            if (!claimed && (now - nextAttemptNanos < 0 || !assigned.getAsBoolean())) {
                return false;
            }
            Lease lease;
            try {
                lease = context.store().claim(context.busName(), subscriptionId, context.instanceId(),
                        context.clock().instant(), context.claimLease());
            } catch (RuntimeException e) {
                // the store is unreachable: nobody else can claim through it either, so keep serving
                // until our lease would have run out
                boolean held = claimed && now - leaseEndNanos < 0;
                log.warn("subscription '{}' on bus '{}': could not renew the claim ({}); {}", subscriptionId,
                        context.busName(), e.getMessage(), held ? "still within the lease" : "standing by", e);
                if (held) {
                    renewAtNanos = now + context.pollInterval().toNanos();
                    return true;
                }
                lease = null;
            }
            if (lease != null) {
                if (claimed && lease.epoch() != epoch) {
                    claimed = false; // our lease ended meanwhile: start again from what is stored
                    holder.lost();
                }
                if (!claimed) {
                    holder.claimed();
                }
                epoch = lease.epoch(); // after claimed(): writes of the old state keep the old epoch
                leaseEndNanos = now + context.claimLease().toNanos();
                renewAtNanos = now + context.claimLease().toNanos() / 3;
                claimed = true;
                return true;
            }
            if (claimed) {
                claimed = false;
                holder.lost();
            }
            nextAttemptNanos = System.nanoTime() + context.pollInterval().toNanos();
            return false;
        }
    }

    /** Whether this process holds the claim (as of its last renewal). */
    boolean isClaimed() {
        return claimed;
    }

    /** The epoch of the claim held (or last held): the fencing token every write carries. */
    long epoch() {
        return epoch;
    }

    /**
     * The store refused a write that carried {@code refused.epoch()}: if that is still the epoch held,
     * the claim is lost (the holder stops delivering and stands by). Never retry the write.
     */
    void refused(ClaimLostException refused, String what) {
        synchronized (this) {
            if (!claimed || refused.epoch() != epoch) {
                return; // already dropped, or claimed again since: the write was of the old state
            }
            claimed = false;
            nextAttemptNanos = System.nanoTime() + context.pollInterval().toNanos();
            log.warn("subscription '{}' on bus '{}': the store refused {} with epoch {}: another process has claimed"
                    + " the subscription since; this process ({}) stops delivering", subscriptionId,
                    context.busName(), what, refused.epoch(), context.instanceId());
            holder.lost();
        }
    }

    /** Gives the claim up, so that a standby process takes over at once instead of when the lease ends. */
    synchronized void release() {
        if (!claimed) {
            return;
        }
        claimed = false;
        try {
            context.store().release(context.busName(), subscriptionId, context.instanceId());
        } catch (RuntimeException e) {
            log.warn("subscription '{}' on bus '{}': could not release the claim; another process can take it over"
                    + " when the lease ends", subscriptionId, context.busName(), e);
        }
    }
}
