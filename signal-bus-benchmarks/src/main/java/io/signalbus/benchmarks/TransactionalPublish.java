package io.signalbus.benchmarks;

import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import io.signalbus.SignalBus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Publishing inside the application's transaction, through Spring Boot as the README shows it: a
 * {@code @Service} whose {@code @Transactional} method publishes (the JDBC store stages the signals in
 * that transaction and its sequencer gives them positions after commit), and {@link SpringEndToEnd}'s
 * {@code @SignalListener(persistent = true)} returning normally (which acks). Each case is paired with
 * the raw JDBC baseline of the same shape, measured in the same run, rounds interleaved; a figure is
 * the median of the rounds. Then 8 transactional publishers at a fixed 1,000/s give the latency,
 * beside 8 raw JDBC writers on the same schedule (one-row transactions; the time from the scheduled
 * start to the commit), measured just before: the database's own stalls show in both.
 */
final class TransactionalPublish {

    /** The README's publisher: one transaction per call, every signal of the call in it. */
    @Service
    public static class Orders {
        private final SignalBus bus;

        public Orders(SignalBus bus) {
            this.bus = bus;
        }

        @Transactional
        public void place(List<Signal> signals) {
            List<RecordedSignal> published = bus.publish(signals);
            if (published.get(0).position() != RecordedSignal.UNASSIGNED) {
                throw new IllegalStateException("publish did not join the Spring transaction (it got a position)");
            }
        }
    }

    /** One case: {@code threads} publishers, {@code perTransaction} signals each, against its raw baseline. */
    private record Case(int threads, int perTransaction, double minRatio, String baseline) {
        String key() {
            return threads + "x" + perTransaction;
        }

        String figure() {
            return String.format(Locale.ROOT, "%d thread%s × %d signal%s per transaction: completed (published,"
                    + " delivered, acked)", threads, threads == 1 ? "" : "s", perTransaction,
                    perTransaction == 1 ? "" : "s");
        }
    }

    private static final List<Case> CASES = List.of(
            new Case(8, 1, 0.7, "raw 1 row/tx, 8 threads"),
            new Case(1, 1, 0.7, "raw 1 row/tx, 1 thread"),
            new Case(1, 100, 0.5, "raw JDBC batch of 100/tx, 1 thread"));

    private TransactionalPublish() {
    }

    /** Runs the part on {@code db} and adds its rows to {@code report}. */
    static void measure(BenchDatabase db, RawJdbc raw, Report report, int rounds, Duration roundTime,
            Duration fixedTime) throws Exception {
        MacroBenchmarks.section(db.name + " transactional publish (@Transactional service, @SignalListener)");
        String section = db.name + " — transactional publish: a @Transactional service method publishing,"
                + " one @SignalListener(persistent = true) acking on return";
        db.reset();
        raw.reset();
        var samples = new Samples();
        Map<String, List<SpringEndToEnd.Result>> results = new LinkedHashMap<>();
        SpringEndToEnd.Result fixed;
        Latencies rawFixed;
        try (var e2e = new SpringEndToEnd(db.dataSource(), Orders.class)) {
            SpringEndToEnd.Sender orders = e2e.bean(Orders.class)::place;
            // Spring's transaction path, the encoder and the store's statements run cold at first: warm every
            // case and its baseline up until the JIT compilers are quiet
            Warmup.untilCompiled(() -> {
                for (Case c : CASES) {
                    e2e.fullSpeed(c.threads(), c.perTransaction(), roundTime, orders);
                    raw.transactions(c.threads(), c.perTransaction(), roundTime);
                }
            });
            for (int r = 1; r <= rounds; r++) {
                System.out.println("  round " + r);
                for (Case c : CASES) {
                    long compiling = Warmup.compilingMillis();
                    raw.reset();
                    db.execute("TRUNCATE TABLE " + BenchDatabase.RAW_TABLE);
                    db.settle();
                    Load.Result rawResult = raw.transactions(c.threads(), c.perTransaction(), roundTime);
                    samples.add("raw " + c.key(), rawResult.perSecond());
                    db.settle();
                    SpringEndToEnd.Result result = e2e.fullSpeed(c.threads(), c.perTransaction(), roundTime, orders);
                    samples.add("tx " + c.key(), result.completed().perSecond());
                    results.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(result);
                    System.out.printf("    %-6s raw %,.0f/s, transactional %,.0f/s, p99 %.2f ms (compiling %,d ms)%n",
                            c.key(), samples.last("raw " + c.key()), samples.last("tx " + c.key()),
                            result.latencies().percentileMillis(99), Warmup.compilingMillis() - compiling);
                }
            }
            e2e.fixedRate(8, 1000, Duration.ofSeconds(2), orders);
            raw.reset();
            db.execute("TRUNCATE TABLE " + BenchDatabase.RAW_TABLE);
            db.settle();
            rawFixed = raw.fixedRate(8, 1000, fixedTime);
            db.settle();
            fixed = e2e.fixedRate(8, 1000, fixedTime, orders);
        }
        for (Case c : CASES) {
            SpringEndToEnd.Result middle = Samples.medianBy(results.get(c.key()),
                    r -> r.latencies().percentileMillis(99));
            report.rate(section, c.figure() + "; publish → handler p99 " + Report.millis(
                    middle.latencies().percentileMillis(99)) + ", transaction (publish call) p99 " + Report.millis(
                    middle.publishCalls().percentileMillis(99)) + " (the round with the median p99)",
                    samples.median("tx " + c.key()), c.baseline(), samples.median("raw " + c.key()), c.minRatio());
        }
        double rawP99 = rawFixed.percentileMillis(99);
        double p99 = fixed.latencies().percentileMillis(99);
        report.add(section, new Report.Row(String.format(Locale.ROOT, "8 transactional publishers at a fixed 1,000/s"
                + " (%,d signals, 1 per transaction): publish → handler p50 / p99 / p99.9; transaction p99 %s",
                fixed.latencies().count(), Report.millis(fixed.publishCalls().percentileMillis(99))),
                MacroBenchmarks.percentiles(fixed.latencies()),
                "raw 1-row transactions, 8 threads at a fixed 1,000/s, scheduled start → commit p50 / p99: "
                        + Report.millis(rawFixed.percentileMillis(50)) + " / " + Report.millis(rawP99),
                Report.ratio(p99 / rawP99) + " (p99)", "p99 < 20 ms", Report.met(p99 < 20)));
    }
}
