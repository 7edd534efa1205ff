package io.signalbus.internal;

import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The background threads of one bus for store work its dispatchers need not wait for: reading the
 * next page of the log while they deliver the last one, and writing checkpoints. Each subscription
 * has at most one read and one write queued, so the queue stays short; should it ever fill, the
 * caller does the work itself.
 */
final class StoreWork implements Executor {

    private static final Logger log = LoggerFactory.getLogger(StoreWork.class);
    /** Store work runs in parallel across the bus's subscriptions; it mostly waits for the store. */
    private static final int THREADS = 2;

    private final String busName;
    private final ThreadPoolExecutor executor;

    StoreWork(String busName) {
        this.busName = busName;
        var count = new AtomicLong();
        this.executor = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1024),
                task -> {
                    Thread thread = new Thread(task, "signal-bus-" + busName + "-store-" + count.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                }, (task, pool) -> task.run());
        executor.allowCoreThreadTimeOut(true);
    }

    @Override
    public void execute(Runnable task) {
        executor.execute(task);
    }

    /** Lets work on its way end (reads take milliseconds), up to {@code timeout}, before the store closes. */
    void shutdown(Duration timeout) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn("bus '{}': store work of its subscriptions still running {} after close", busName, timeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
