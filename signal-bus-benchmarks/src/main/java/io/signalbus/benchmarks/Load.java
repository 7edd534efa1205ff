package io.signalbus.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Runs the same step on several threads for a fixed time and counts what the steps did. */
final class Load {

    private Load() {
    }

    /**
     * One thread's work: each {@link #step()} does some units (rows, signals) and returns how many,
     * or a negative number when this thread has nothing more to do.
     */
    interface Worker extends AutoCloseable {
        int step() throws Exception;

        @Override
        default void close() throws Exception {
        }
    }

    interface WorkerFactory {
        Worker open(int thread) throws Exception;
    }

    /** Units done and when: {@code startNanos} when all threads were released, {@code endNanos} when the last stopped. */
    record Result(long units, long startNanos, long endNanos) {
        double perSecond() {
            return units / ((endNanos - startNanos) / 1e9);
        }
    }

    /** Steps on {@code threads} threads until {@code duration} has passed (a step under way finishes) or all are done. */
    static Result run(int threads, Duration duration, WorkerFactory factory) throws Exception {
        var ready = new CountDownLatch(threads);
        var go = new CountDownLatch(1);
        var total = new AtomicLong();
        var lastEnd = new AtomicLong();
        var failure = new AtomicReference<Throwable>();
        var deadline = new AtomicLong();
        var list = new ArrayList<Thread>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            list.add(new Thread(() -> {
                try (Worker worker = factory.open(thread)) {
                    ready.countDown();
                    go.await();
                    long done = 0;
                    long end = deadline.get();
                    while (System.nanoTime() - end < 0 && failure.get() == null) {
                        int units = worker.step();
                        if (units < 0) {
                            break;
                        }
                        done += units;
                    }
                    total.addAndGet(done);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    ready.countDown();
                } finally {
                    lastEnd.accumulateAndGet(System.nanoTime(), Math::max);
                }
            }, "load-" + t));
        }
        list.forEach(Thread::start);
        ready.await();
        long start = System.nanoTime();
        deadline.set(start + duration.toNanos());
        go.countDown();
        for (Thread thread : list) {
            thread.join();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("a load thread failed: " + failure.get(), failure.get());
        }
        return new Result(total.get(), start, lastEnd.get());
    }
}
