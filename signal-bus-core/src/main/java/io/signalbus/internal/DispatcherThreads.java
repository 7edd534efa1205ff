package io.signalbus.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dispatcher threads of one persistent subscription, supervised: each runs the worker's step
 * again and again; whatever a step throws (a store error while resuming, an {@link Error} such as
 * {@link OutOfMemoryError}) is reported as the subscription's trouble, and the step runs again after
 * a backoff. A thread ends only when the worker stops. On stop, they are joined within a bound.
 */
final class DispatcherThreads {

    /** One turn of a dispatcher; false once the worker stops. */
    interface Step {
        boolean run();
    }

    private static final Logger log = LoggerFactory.getLogger(DispatcherThreads.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final String name;
    private final Step step;
    private final Duration baseBackoff;
    private final Consumer<@Nullable Throwable> trouble;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopped;

    /**
     * Starts {@code count} daemon threads named {@code name} (numbered when several) running
     * {@code step}; {@code trouble} hears of each failure, and of {@code null} once a step succeeds again.
     */
    DispatcherThreads(String name, int count, Step step, Duration baseBackoff, Consumer<@Nullable Throwable> trouble) {
        this.name = name;
        this.step = step;
        this.baseBackoff = baseBackoff;
        this.trouble = trouble;
        for (int i = 0; i < count; i++) {
            Thread thread = new Thread(this::supervise, name + (count > 1 ? "-" + (i + 1) : ""));
            thread.setDaemon(true);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
    }

    private void supervise() {
        int failures = 0;
        while (!stopped) {
            try {
                if (!step.run()) {
                    return;
                }
                if (failures > 0) {
                    failures = 0;
                    trouble.accept(null);
                    log.info("{} recovered", name);
                }
            } catch (Throwable e) { // never a silent death: report, back off, go on
                failures++;
                trouble.accept(e);
                Duration backoff = backoff(failures);
                log.error("{} failed ({} in a row); trying again in {}", name, failures, backoff, e);
                pause(backoff);
            }
        }
    }

    /** {@code baseBackoff} doubling per failure in a row, at most 30 s. */
    private Duration backoff(int failures) {
        Duration delay = baseBackoff.multipliedBy(1L << Math.min(failures - 1, 16));
        return delay.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : delay;
    }

    private synchronized void pause(Duration duration) {
        long deadline = System.nanoTime() + duration.toNanos();
        try {
            for (long left = duration.toMillis(); !stopped && left > 0;
                    left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) {
                wait(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopped = true;
        }
    }

    /** Asks the threads to end: those backing off end at once, the others after their current step. */
    synchronized void stop() {
        stopped = true;
        notifyAll();
    }

    /**
     * Waits up to {@code timeout} for the threads to end (they were asked to); interrupts those still
     * running a handler then, so that a stuck handler cannot hold up shutdown.
     */
    void join(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread thread : threads) {
            if (thread == Thread.currentThread()) {
                continue;
            }
            try {
                thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                log.warn("handler still running after {}; interrupting {}", timeout, thread.getName());
                thread.interrupt();
            }
        }
    }
}
