package io.signalbus.benchmarks;

import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.StartFrom;
import io.signalbus.SubscribeOptions;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The in-memory ceiling: one publisher thread, one persistent subscription whose handler acks at
 * once, against a plain {@link ArrayBlockingQueue} hand-off of event objects between two threads
 * measured in the same run. Prints median rates and their ratio.
 *
 * <p>Run: {@code java -Xmx4g -cp signal-bus-benchmarks/target/benchmarks.jar io.signalbus.benchmarks.InMemoryThroughput [signals] [rounds]}
 */
public final class InMemoryThroughput {

    private InMemoryThroughput() {
    }

    /** An event object like the ones a bus carries. */
    record Event(long sequence, Map<String, Object> data) {
    }

    static double handoffRate(int count) throws InterruptedException {
        var queue = new ArrayBlockingQueue<Event>(1024);
        var consumed = new AtomicLong();
        Thread consumer = new Thread(() -> {
            try {
                for (int i = 0; i < count; i++) {
                    consumed.addAndGet(queue.take().sequence());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        long start = System.nanoTime();
        consumer.start();
        for (int i = 0; i < count; i++) {
            queue.put(new Event(i, Map.of("n", i)));
        }
        consumer.join();
        return count / ((System.nanoTime() - start) / 1e9);
    }

    static double publishAndAckRate(int count) throws InterruptedException {
        try (SignalBus bus = SignalBus.builder().name("throughput").build()) {
            var done = new CountDownLatch(1);
            var acked = new AtomicLong();
            bus.subscribe("order.*", SubscribeOptions.persistent("acker").startFrom(StartFrom.origin()), delivery -> {
                delivery.ack();
                if (acked.incrementAndGet() == count) {
                    done.countDown();
                }
            });
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                bus.publish(Signal.of("order.created", "bench", Map.of("n", i)));
            }
            done.await();
            return count / ((System.nanoTime() - start) / 1e9);
        }
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        handoffRate(count);
        publishAndAckRate(count / 2);
        double[] baseline = new double[rounds];
        double[] bus = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            baseline[r] = handoffRate(count);
            bus[r] = publishAndAckRate(count);
            System.out.printf("round %d: hand-off %,.0f/s, bus publish+ack %,.0f/s%n", r + 1, baseline[r], bus[r]);
        }
        double b = Samples.median(baseline);
        double m = Samples.median(bus);
        System.out.printf("median: hand-off %,.0f/s, bus publish+ack %,.0f/s, ratio %.2f%n", b, m, m / b);
    }
}
