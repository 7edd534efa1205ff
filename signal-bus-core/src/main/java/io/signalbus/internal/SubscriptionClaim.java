package io.signalbus.internal;

import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's claim on one persistent subscription: a lease in the store, so that one process at
 * a time serves it. Taken and renewed a third into the lease by {@link #hold()}; while another
 * process holds it, tried again every poll interval.
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
    private volatile boolean claimed;
    private volatile Instant renewAt = Instant.MIN;
    private Instant leaseUntil = Instant.MIN;
    private long nextAttemptNanos;

    SubscriptionClaim(WorkerContext context, String subscriptionId, Holder holder) {
        this.context = context;
        this.subscriptionId = subscriptionId;
        this.holder = holder;
        this.nextAttemptNanos = System.nanoTime();
    }

    /** A claim with nobody to tell: for a short operation that must exclude the serving process. */
    SubscriptionClaim(WorkerContext context, String subscriptionId) {
        this(context, subscriptionId, NO_HOLDER);
    }

    /**
     * Claims the subscription, or renews the claim a third into the lease; false while another
     * process holds it. Calls the holder when the claim is won or lost.
     */
    boolean hold() {
        if (claimed && context.clock().instant().isBefore(renewAt)) {
            return true;
        }
        synchronized (this) {
            Instant now = context.clock().instant();
            if (claimed && now.isBefore(renewAt)) {
                return true;
            }
            if (!claimed && System.nanoTime() - nextAttemptNanos < 0) {
                return false;
            }
            boolean held;
            try {
                held = context.store().claim(context.busName(), subscriptionId, context.instanceId(), now,
                        now.plus(context.claimLease()));
            } catch (RuntimeException e) {
                // the store is unreachable: nobody else can claim through it either, so keep serving
                // until our lease would have run out
                held = claimed && now.isBefore(leaseUntil);
                log.warn("subscription '{}' on bus '{}': could not renew the claim ({}); {}", subscriptionId,
                        context.busName(), e.getMessage(), held ? "still within the lease" : "standing by", e);
                if (held) {
                    renewAt = now.plus(context.pollInterval());
                    return true;
                }
            }
            if (held) {
                if (!claimed) {
                    holder.claimed();
                }
                leaseUntil = now.plus(context.claimLease());
                renewAt = now.plus(context.claimLease().dividedBy(3));
                claimed = true;
            } else {
                if (claimed) {
                    claimed = false;
                    holder.lost();
                }
                nextAttemptNanos = System.nanoTime() + context.pollInterval().toNanos();
            }
            return held;
        }
    }

    /** Whether this process holds the claim (as of its last renewal). */
    boolean isClaimed() {
        return claimed;
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
