package io.signalbus.jdbc;

import java.util.concurrent.TimeUnit;

/**
 * How far apart the sequencer's steps start: the busier the publishers, the more a step carries.
 * Every step costs about the same whatever it moves (a plan, a commit and its WAL flush, a
 * notification, the hand-on), so at high rates fewer, larger steps leave the publishers the disk and
 * the CPU, while at moderate rates a signal should not wait long for its step. The interval grows
 * with the rate of signals committed: {@link #NANOS_PER_SIGNAL_PER_SECOND} for each signal a second
 * (4 ms at 1,000 a second, 8 ms at 2,000), between {@link #MIN_NANOS} and {@link #MAX_NANOS}. The
 * rate is a moving average over the last steps, so that one burst does not swing it. A commit after a
 * quiet spell is sequenced at once whatever the interval: it only holds a step back from the start
 * of the last one.
 */
final class StepPacing {

    /** The interval per signal committed a second. */
    static final long NANOS_PER_SIGNAL_PER_SECOND = TimeUnit.MICROSECONDS.toNanos(4);
    static final long MIN_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    static final long MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(16);
    /** The weight of the latest step's rate in the average. */
    private static final double WEIGHT = 0.25;

    /** Signals committed a second, averaged; 0 before the first step. */
    private double rate;

    /**
     * Takes the signals committed since the last step started and the time since then, and returns
     * the interval until the next step may start.
     */
    long next(long signals, long nanos) {
        if (nanos > 0) {
            double latest = signals * 1e9 / nanos;
            rate = rate == 0 ? latest : rate + WEIGHT * (latest - rate);
        }
        return interval();
    }

    /** The interval for the current rate. */
    long interval() {
        return Math.max(MIN_NANOS, Math.min(MAX_NANOS, Math.round(rate * NANOS_PER_SIGNAL_PER_SECOND)));
    }
}
