package io.signalbus.benchmarks;

import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.StartFrom;
import io.signalbus.SubscribeOptions;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * In-memory publish-and-ack: one thread publishes {@value #BATCH} signals one call each to a bus
 * with one persistent subscription whose handler acks at once, and waits until all are acked.
 * Baseline, in the same run: the same number of event objects handed from one thread to another
 * through an {@link ArrayBlockingQueue}. Target (issue 2): at least half the hand-off rate.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx2g")
public class InMemoryBusBenchmark {

    static final int BATCH = 1000;

    /** A fresh bus each iteration: the in-memory log keeps every signal. */
    @State(Scope.Benchmark)
    public static class Bus {
        final AtomicLong acked = new AtomicLong();
        SignalBus bus;
        long published;

        @Setup(Level.Iteration)
        public void start() {
            acked.set(0);
            published = 0;
            bus = SignalBus.builder().name("jmh").build();
            bus.subscribe("order.*", SubscribeOptions.persistent("acker").startFrom(StartFrom.origin()), delivery -> {
                delivery.ack();
                acked.incrementAndGet();
            });
        }

        @TearDown(Level.Iteration)
        public void stop() {
            bus.close();
        }
    }

    /** A consumer thread that takes events off a queue and counts them. */
    @State(Scope.Benchmark)
    public static class Handoff {
        final ArrayBlockingQueue<InMemoryThroughput.Event> queue = new ArrayBlockingQueue<>(1024);
        final AtomicLong taken = new AtomicLong();
        long put;
        Thread consumer;

        @Setup(Level.Trial)
        public void start() {
            consumer = new Thread(() -> {
                try {
                    while (true) {
                        queue.take();
                        taken.incrementAndGet();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "handoff-consumer");
            consumer.setDaemon(true);
            consumer.start();
        }

        @TearDown(Level.Trial)
        public void stop() {
            consumer.interrupt();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void publishAndAck(Bus state) {
        for (int i = 0; i < BATCH; i++) {
            state.bus.publish(Signal.of("order.created", "bench", Map.of("n", i)));
        }
        state.published += BATCH;
        while (state.acked.get() < state.published) {
            LockSupport.parkNanos(1_000);
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void arrayBlockingQueueHandoff(Handoff state) throws InterruptedException {
        for (int i = 0; i < BATCH; i++) {
            state.queue.put(new InMemoryThroughput.Event(i, Map.of("n", i)));
        }
        state.put += BATCH;
        while (state.taken.get() < state.put) {
            LockSupport.parkNanos(1_000);
        }
    }
}
