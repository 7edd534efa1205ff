package io.signalbus.spring;

import io.signalbus.BusStatus;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Reads one bus's status on a thread of {@code readers} and waits for it at most {@code timeout} from
 * the start of the reading: while a reading still waits for the store, later callers share it (and
 * wait only what is left of its timeout) rather than start another, so a store that stopped answering
 * holds one thread per bus however often it is asked. The starter's health contributor and its
 * gauges read bus statuses through it, so that neither a health check nor a metrics scrape hangs on a
 * database that does not answer. Thread-safe.
 */
public final class BusStatusReading {

    private final Supplier<BusStatus> status;
    private final Executor readers;
    private final Duration timeout;
    /** The latest reading; a new one starts only once it has finished. Guarded by this. */
    private @Nullable Reading reading;

    /** One reading of the status: its {@link BusStatus}, or the exception it threw. */
    private record Reading(long startedNanos, CompletableFuture<BusStatus> result) {
    }

    /**
     * @param status  reads the bus's status (from its store: it may block)
     * @param readers the threads that read; one at a time per instance of this class
     * @param timeout how long a reading is waited for, from its start
     */
    public BusStatusReading(Supplier<BusStatus> status, Executor readers, Duration timeout) {
        this.status = Objects.requireNonNull(status, "status");
        this.readers = Objects.requireNonNull(readers, "readers");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must not be negative, was " + timeout);
        }
        this.timeout = timeout;
    }

    /**
     * Threads for readings, named {@code threadName}: daemons, started as readings need them and kept
     * for a minute after. Since a reading starts only when the last of its bus has finished, a store
     * that does not answer holds one of them per bus. Shut it down when done.
     */
    public static ExecutorService readers(String threadName) {
        return Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, threadName);
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * The bus's status, from a reading started now or from the one still running.
     *
     * @throws TimeoutException when that reading has not finished within the timeout of its start; the
     *         message says how long the store has not answered
     * @throws ExecutionException with what the reading threw
     * @throws InterruptedException when the calling thread is interrupted while it waits
     */
    public BusStatus read() throws TimeoutException, ExecutionException, InterruptedException {
        Reading current = current();
        try {
            return current.result().get(Math.max(0, current.startedNanos() + timeout.toNanos() - System.nanoTime()),
                    TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new TimeoutException("the store has not answered for " + Duration.ofMillis(
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - current.startedNanos())) + " (timeout "
                    + timeout + ")");
        }
    }

    /** Starts a reading unless one is still running; returns it, finished or not. */
    private synchronized Reading current() {
        if (reading == null || reading.result().isDone()) {
            CompletableFuture<BusStatus> result;
            try {
                result = CompletableFuture.supplyAsync(status, readers);
            } catch (RejectedExecutionException e) { // the readers are shut down: the application is closing
                result = CompletableFuture.failedFuture(e);
            }
            reading = new Reading(System.nanoTime(), result);
        }
        return reading;
    }
}
