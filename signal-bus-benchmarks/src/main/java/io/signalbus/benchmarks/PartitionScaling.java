package io.signalbus.benchmarks;

import io.signalbus.BusStatus;
import io.signalbus.PartitionStatus;
import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.StartFrom;
import io.signalbus.SubscribeOptions;
import io.signalbus.SubscriptionStatus;
import io.signalbus.jdbc.JdbcSignalStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One partitioned subscription (16 partitions) whose handler waits 5 ms, as a call to another
 * service would, served by 1 and then by 4 application instances on one PostgreSQL. Each instance is
 * a bus of its own on a store of its own (its own instance id, heartbeat, claims and threads) in this
 * JVM; they meet only in the database. The instances join and divide the partitions first; then a
 * backlog is published at once and the rate is the backlog over the time until every signal was
 * handled. The baseline is the 1-instance run of the same round.
 */
final class PartitionScaling {

    private static final int PARTITIONS = 16;
    private static final int KEYS = 1_000;
    private static final long HANDLER_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final Duration BALANCE_TIMEOUT = Duration.ofSeconds(60);

    private PartitionScaling() {
    }

    /** Runs the part on {@code db} and adds its row to {@code report}. */
    static void measure(BenchDatabase db, Report report, int rounds, int signals) throws Exception {
        MacroBenchmarks.section(db.name + " partitioned subscription, 1 and 4 instances");
        String section = db.name + " — one subscription of " + PARTITIONS + " partitions, handler waiting 5 ms,"
                + " served by 1 and by 4 instances";
        var samples = new Samples();
        for (int r = 1; r <= rounds; r++) {
            for (int instances : List.of(1, 4)) {
                db.reset();
                double rate = run(db, instances, signals);
                samples.add(instances + " instances", rate);
                System.out.printf(Locale.ROOT, "    round %d, %d instance%s: %,.0f signals/s%n", r, instances,
                        instances == 1 ? "" : "s", rate);
            }
        }
        report.rate(section, String.format(Locale.ROOT, "4 instances, %d partitions, %,d signals over %,d keys"
                + " (subject), default concurrency, handled per second", PARTITIONS, signals, KEYS),
                samples.median("4 instances"), "1 instance", samples.median("1 instances"), 3.2);
    }

    /** The rate at which {@code instances} instances handle a backlog of {@code signals}. */
    private static double run(BenchDatabase db, int instances, int signals) throws Exception {
        var handled = new AtomicLong();
        var stores = new ArrayList<JdbcSignalStore>();
        var buses = new ArrayList<SignalBus>();
        try {
            for (int i = 0; i < instances; i++) {
                JdbcSignalStore store = JdbcSignalStore.builder(db.dataSource()).build();
                stores.add(store);
                SignalBus bus = SignalBus.builder().name("scaling").store(store).instanceId("instance-" + (i + 1))
                        .build();
                buses.add(bus);
                bus.subscribe("order.**", SubscribeOptions.persistent("scaling").partitions(PARTITIONS)
                        .startFrom(StartFrom.origin()), delivery -> {
                            LockSupport.parkNanos(HANDLER_NANOS); // waiting, as for I/O
                            handled.incrementAndGet();
                            delivery.ack();
                        });
            }
            awaitBalanced(buses);
            long start = System.nanoTime();
            publish(buses.get(0), signals);
            DurableBus.awaitCount(handled::get, signals, "partitioned delivery");
            return signals / ((System.nanoTime() - start) / 1e9);
        } finally {
            buses.forEach(SignalBus::close);
            stores.forEach(JdbcSignalStore::close);
        }
    }

    /** Waits until every partition is owned and each instance owns its even share. */
    private static void awaitBalanced(List<SignalBus> buses) {
        long deadline = System.nanoTime() + BALANCE_TIMEOUT.toNanos();
        int share = PARTITIONS / buses.size();
        while (true) {
            SubscriptionStatus status = subscription(buses.get(0).status());
            boolean balanced = status.unownedPartitions() == 0;
            for (int i = 0; i < buses.size() && balanced; i++) {
                String owner = "instance-" + (i + 1);
                balanced = status.partitions().stream().map(PartitionStatus::owner).filter(owner::equals).count()
                        == share;
            }
            if (balanced) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("partitions not balanced over " + buses.size() + " instances within "
                        + BALANCE_TIMEOUT + ": " + status.partitions());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    private static SubscriptionStatus subscription(BusStatus status) {
        return status.subscriptions().stream().filter(s -> s.id().equals("scaling")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no subscription 'scaling' in " + status));
    }

    /** Publishes the backlog, 500 per call, keys taking turns. */
    private static void publish(SignalBus bus, int signals) {
        for (int from = 0; from < signals; from += 500) {
            var batch = new ArrayList<Signal>(500);
            for (int i = from; i < Math.min(signals, from + 500); i++) {
                batch.add(Signal.builder(Payloads.TYPE).source("/benchmarks").subject("key-" + (i % KEYS))
                        .data(Map.of("n", i)).build());
            }
            bus.publish(batch);
        }
    }
}
