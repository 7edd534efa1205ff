package io.signalbus.internal;

import java.util.concurrent.Semaphore;

/**
 * The handler calls a partitioned subscription may make at a time in this process, shared by the
 * partitions it serves: {@code concurrency} is per instance, as a consumer group member's threads
 * serve all its partitions, so that instances add capacity. (Without it, one instance of a
 * 16-partition subscription would already run 16 x {@code concurrency} handlers.) A partition's
 * dispatcher takes its signal first and then waits for a permit; once it has one, the signal is
 * delivered only if the claim it was taken under is still held, so a dispatcher that waited past
 * the end of its claim (a frozen process) delivers nothing: the partition's new holder does.
 */
final class HandlerPermits {

    /** No limit across partitions: an unpartitioned subscription has its own dispatcher threads only. */
    static final HandlerPermits NONE = new HandlerPermits(0);

    private final Semaphore permits;

    /** {@code concurrency} calls at a time; 0: no limit ({@link #NONE}). */
    HandlerPermits(int concurrency) {
        this.permits = new Semaphore(concurrency, true);
    }

    /**
     * Runs {@code delivery} with a permit, if {@code claim} still holds the epoch it was taken under
     * once the permit is taken (renewing it if due); else the signal is not delivered here.
     */
    void run(Runnable delivery, SubscriptionClaim claim, long epoch) {
        if (this == NONE) {
            delivery.run();
            return;
        }
        permits.acquireUninterruptibly();
        try {
            if (claim.hold() && claim.epoch() == epoch) {
                delivery.run();
            }
        } finally {
            permits.release();
        }
    }
}
