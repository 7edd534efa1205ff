package io.signalbus.jdbc;

import java.util.concurrent.TimeUnit;

/**
 * How far apart the sequencer's steps start: the busier the publishers, the more a step carries.
 * Every step costs about the same whatever it moves (a plan, a commit and its WAL flush, a
 * notification, the hand-on), so at high rates fewer, larger steps leave the publishers the disk and
 * the CPU, while at moderate rates a signal should not wait long for its step. The interval grows
 * with the square of the rate of signals committed: {@link #BASE_NANOS} at {@link #BASE_RATE} a
 * second (1 ms at 500, 9 ms at 1,500, 16 ms at 2,000), between {@link #MIN_NANOS} and
 * {@link #MAX_NANOS}. Up to 1,000 a second a signal waits no longer than with an interval in
 * proportion to the rate (4 µs per signal a second, the rule before); above it, where a lone
 * publisher's commits queue behind the steps' commits and their CPU, the bound is reached from 2,000
 * a second instead of 4,000 (docs/design.md, "Wake-ups and pacing"). The rate is a moving average
 * over the last steps, so that one burst does not swing it. A commit after a
 * quiet spell is sequenced at once whatever the interval: it only holds a step back from the start
 * of the last one.
 */
final class StepPacing {

    /** The interval at {@link #BASE_RATE}. */
    static final long BASE_NANOS = TimeUnit.MILLISECONDS.toNanos(4);
    /** Signals committed a second at which the interval is {@link #BASE_NANOS}. */
    static final double BASE_RATE = 1_000;
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
        double relative = rate / BASE_RATE;
        return Math.max(MIN_NANOS, Math.min(MAX_NANOS, Math.round(BASE_NANOS * relative * relative)));
    }
}
