package io.signalbus.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts the dispatcher threads of one persistent subscription and, on stop, waits for them within a bound. */
final class DispatcherThreads {

    private static final Logger log = LoggerFactory.getLogger(DispatcherThreads.class);

    private final List<Thread> threads = new ArrayList<>();

    /** Starts {@code count} daemon threads running {@code loop}, named {@code name} (numbered when several). */
    DispatcherThreads(String name, int count, Runnable loop) {
        for (int i = 0; i < count; i++) {
            Thread thread = new Thread(loop, name + (count > 1 ? "-" + (i + 1) : ""));
            thread.setDaemon(true);
            threads.add(thread);
        }
        threads.forEach(Thread::start);
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
