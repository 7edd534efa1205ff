package io.signalbus.benchmarks;

import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.StartFrom;
import io.signalbus.SubscribeOptions;
import io.signalbus.router.SignalPattern;
import io.signalbus.store.SignalStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/** The bus on the JDBC store: durable publish, catch-up over a backlog, and fan-out. */
final class DurableBus {

    private static final Duration DRAIN_TIMEOUT = Duration.ofMinutes(3);

    private final SignalStore store;
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicLong buses = new AtomicLong();

    DurableBus(SignalStore store) {
        this.store = store;
    }

    private SignalBus newBus(String purpose) {
        return SignalBus.builder().name(purpose + "-" + buses.incrementAndGet()).store(store).build();
    }

    /** {@code threads} threads each calling {@code publish} with {@code batch} signals, for {@code duration}; signals/s. */
    Load.Result publish(int threads, int batch, Duration duration) throws Exception {
        try (SignalBus bus = newBus("publish")) {
            return publish(bus, threads, batch, duration);
        }
    }

    private Load.Result publish(SignalBus bus, int threads, int batch, Duration duration) throws Exception {
        return Load.run(threads, duration, thread -> () -> {
            if (batch == 1) {
                bus.publish(Payloads.signal(sequence.incrementAndGet(), System.nanoTime()));
            } else {
                var signals = new ArrayList<Signal>(batch);
                for (int i = 0; i < batch; i++) {
                    signals.add(Payloads.signal(sequence.incrementAndGet(), System.nanoTime()));
                }
                bus.publish(signals);
            }
            return batch;
        });
    }

    /** A log filled for catch-up: its bus name and how fast it was published. */
    record Backlog(String busName, long signals, Load.Result fill) {
    }

    /** Publishes {@code signals} signals to a new bus, 1,000 per call from one thread. */
    Backlog fill(long signals) throws Exception {
        try (SignalBus bus = newBus("catchup")) {
            var published = new AtomicLong();
            Load.Result fill = Load.run(1, Duration.ofDays(1), thread -> () -> {
                int n = (int) Math.min(1000, signals - published.get());
                if (n <= 0) {
                    return -1;
                }
                var batch = new ArrayList<Signal>(n);
                for (int i = 0; i < n; i++) {
                    batch.add(Payloads.signal(sequence.incrementAndGet(), System.nanoTime()));
                }
                bus.publish(batch);
                published.addAndGet(n);
                return n;
            });
            return new Backlog(bus.name(), signals, fill);
        }
    }

    /**
     * What a catch-up measured: the read, and the live heap (used after a full GC) before it started
     * and when a quarter, half, three quarters and all of the backlog had been handled.
     */
    record CatchUp(Load.Result read, long[] liveHeap, long peakUsed, long peakAfterGc, long collections) {
        long maxGrowth() {
            long max = 0;
            for (long live : liveHeap) {
                max = Math.max(max, live - liveHeap[0]);
            }
            return max;
        }
    }

    /**
     * A new persistent subscription from origin on a new bus object over the backlog's log (as a new
     * process would), reading through {@code readStore}, its handler acking each delivery on return.
     */
    static CatchUp catchUp(Backlog backlog, SignalStore readStore, String subscriptionId) throws Exception {
        long total = backlog.signals();
        try (SignalBus bus = SignalBus.builder().name(backlog.busName()).store(readStore).build();
                var heap = new HeapWatcher()) {
            var handled = new AtomicLong();
            var last = new AtomicLong();
            long[] live = new long[5];
            live[0] = heap.liveBefore;
            long start = System.nanoTime();
            bus.subscribe("order.**", SubscribeOptions.persistent(subscriptionId).startFrom(StartFrom.origin()),
                    delivery -> {
                        delivery.ack();
                        handled.incrementAndGet();
                        last.set(System.nanoTime());
                    });
            // a full GC at each quarter shows whether what the subscription holds grows with the backlog
            for (int quarter = 1; quarter <= 4; quarter++) {
                awaitCount(handled::get, total * quarter / 4, "catch-up of " + total + " signals");
                live[quarter] = HeapWatcher.liveHeapNow();
            }
            return new CatchUp(new Load.Result(handled.get(), start, last.get()), live, heap.peakUsed(),
                    heap.peakAfterGc(), heap.collections());
        }
    }

    /** Fan-out types: 5 domains × 10 entities × 4 verbs. */
    static String fanOutType(long i) {
        String[] verbs = {"created", "updated", "deleted", "failed"};
        return "domain" + (i % 5) + ".entity" + ((i / 5) % 10) + "." + verbs[(int) ((i / 50) % 4)];
    }

    /** 50 overlapping patterns over the fan-out types. */
    static List<String> fanOutPatterns() {
        var patterns = new ArrayList<String>();
        patterns.add("**");
        patterns.add("**.failed");
        patterns.add("*.*.created");
        patterns.add("domain0.**");
        for (int d = 0; d < 5; d++) {
            patterns.add("domain" + d + ".*.updated");
            patterns.add("domain" + d + ".entity" + d + ".**");
        }
        for (int e = 0; e < 10; e++) {
            patterns.add("*.entity" + e + ".*");
            patterns.add("**.entity" + e + ".deleted");
        }
        for (int i = 0; patterns.size() < 50; i++) {
            patterns.add(fanOutType(i * 7L));
        }
        return patterns;
    }

    /** What a fan-out run measured: signals published and deliveries completed, and when. */
    record FanOut(long signals, long deliveries, long startNanos, long endNanos, int subscriptions) {
        double signalsPerSecond() {
            return signals / ((endNanos - startNanos) / 1e9);
        }

        double deliveriesPerSecond() {
            return deliveries / ((endNanos - startNanos) / 1e9);
        }
    }

    /**
     * 50 persistent subscriptions on overlapping patterns, each acking on return; one thread publishes
     * {@code signals} signals in batches of 100 over 200 types. Ends when every subscription has
     * handled every signal that matches it.
     */
    FanOut fanOut(long signals) throws Exception {
        List<String> patterns = fanOutPatterns();
        var expected = new long[patterns.size()];
        var compiled = patterns.stream().map(SignalPattern::compile).toList();
        for (long i = 0; i < signals; i++) {
            String type = fanOutType(i);
            for (int s = 0; s < compiled.size(); s++) {
                if (compiled.get(s).matches(type)) {
                    expected[s]++;
                }
            }
        }
        long total = 0;
        for (long e : expected) {
            total += e;
        }
        try (SignalBus bus = newBus("fanout")) {
            var handled = new AtomicLongArray(patterns.size());
            var all = new AtomicLong();
            var last = new AtomicLong();
            for (int s = 0; s < patterns.size(); s++) {
                int index = s;
                bus.subscribe(patterns.get(s), SubscribeOptions.persistent("fan-out-" + s), delivery -> {
                    delivery.ack();
                    handled.incrementAndGet(index);
                    all.incrementAndGet();
                    last.set(System.nanoTime());
                });
            }
            long start = System.nanoTime();
            for (long i = 0; i < signals; i += 100) {
                var batch = new ArrayList<Signal>(100);
                for (long j = i; j < Math.min(signals, i + 100); j++) {
                    batch.add(Payloads.signal(fanOutType(j), sequence.incrementAndGet(), System.nanoTime()));
                }
                bus.publish(batch);
            }
            long want = total;
            awaitCount(all::get, want, "fan-out of " + signals + " signals to " + patterns.size() + " subscriptions");
            for (int s = 0; s < patterns.size(); s++) {
                if (handled.get(s) < expected[s]) {
                    throw new IllegalStateException("subscription " + patterns.get(s) + " handled " + handled.get(s)
                            + " of " + expected[s]);
                }
            }
            return new FanOut(signals, all.get(), start, last.get(), patterns.size());
        }
    }

    static void awaitCount(LongSupplier count, long want, String what) throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        while (count.getAsLong() < want) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException(what + ": only " + count.getAsLong() + " of " + want + " handled within "
                        + DRAIN_TIMEOUT);
            }
            TimeUnit.MILLISECONDS.sleep(1);
        }
    }
}
