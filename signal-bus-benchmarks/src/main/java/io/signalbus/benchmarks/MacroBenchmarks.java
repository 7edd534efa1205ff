package io.signalbus.benchmarks;

import io.signalbus.jdbc.JdbcSignalStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * Runs every benchmark of signal-bus and writes the figures to {@code docs/benchmarks.md}: the JMH
 * micro-benchmarks, the in-memory ceiling, and the durable bus on H2 (file mode) and, when
 * {@code SIGNAL_BUS_BENCH_POSTGRES_URL} is set, on PostgreSQL. Each figure is a median of a few long
 * rounds and comes with a baseline measured in the same run, interleaved round by round with it, so
 * that the ratio holds on any machine.
 *
 * <p>Arguments: {@code --out FILE} (default {@code docs/benchmarks.md}), {@code --backlog N} (the
 * catch-up backlog, default 1,000,000), {@code --rounds N} (default 5), {@code --seconds N} (per
 * throughput round, default 3), {@code --only micro,memory,h2,postgres} (default all), {@code --quick}
 * (backlog 100,000, one round of 2 s: for trying the harness, not for the committed table), and
 * {@code --parts publish,catchup,fanout,e2e,txpublish,instances,partitions} (default all) to run part of each database's
 * figures, e.g. under a profiler.
 */
public final class MacroBenchmarks {

    static final String POSTGRES_URL_VARIABLE = "SIGNAL_BUS_BENCH_POSTGRES_URL";
    /** Read first, to warm up the read path, and on H2 with both the shipped store and the fix. */
    static final long SMALL_BACKLOG = 50_000;

    private final Path out;
    private final long backlog;
    private final int rounds;
    private final Duration roundTime;
    private final List<String> only;
    private final List<String> parts;
    private final boolean quick;
    private final Report report = new Report();
    private final List<String> databases = new ArrayList<>();
    /** Of the current database, for the fan-out's second ratio. */
    private double rawSequentialRead = Double.NaN;

    private MacroBenchmarks(Map<String, String> args) {
        quick = args.containsKey("quick");
        out = Path.of(args.getOrDefault("out", "docs/benchmarks.md"));
        backlog = Long.parseLong(args.getOrDefault("backlog", quick ? "100000" : "1000000"));
        rounds = Integer.parseInt(args.getOrDefault("rounds", quick ? "1" : "5"));
        roundTime = Duration.ofSeconds(Long.parseLong(args.getOrDefault("seconds", quick ? "2" : "3")));
        only = Arrays.asList(args.getOrDefault("only", "micro,memory,h2,postgres").split(","));
        parts = Arrays.asList(args.getOrDefault("parts", "publish,catchup,fanout,e2e,txpublish,instances,partitions").split(","));
    }

    public static void main(String[] argv) throws Exception {
        var args = new LinkedHashMap<String, String>();
        for (int i = 0; i < argv.length; i++) {
            String name = argv[i].replaceFirst("^--", "");
            boolean flag = i + 1 >= argv.length || argv[i + 1].startsWith("--");
            args.put(name, flag ? "true" : argv[++i]);
        }
        new MacroBenchmarks(args).run();
        System.exit(0); // JMH and JDBC pools may leave non-daemon threads behind
    }

    private void run() throws Exception {
        String loadBefore = loadAverage();
        long started = System.nanoTime();
        if (only.contains("micro")) {
            section("JMH micro-benchmarks");
            Path log = Path.of("signal-bus-benchmarks/target/jmh.log");
            Files.createDirectories(log.getParent());
            MicroBenchmarks.report(MicroBenchmarks.run(quick ? 1 : 2, quick ? 2 : 3, log.toString()), report);
        }
        if (only.contains("memory")) {
            section("in-memory publish + ack vs ArrayBlockingQueue hand-off");
            inMemory();
        }
        if (only.contains("h2")) {
            try (var db = BenchDatabase.h2(Path.of("signal-bus-benchmarks/target/bench-h2"))) {
                database(db);
            }
        }
        String postgresUrl = System.getenv(POSTGRES_URL_VARIABLE);
        if (only.contains("postgres")) {
            if (postgresUrl == null || postgresUrl.isBlank()) {
                report.note("PostgreSQL: not measured in this run (" + POSTGRES_URL_VARIABLE + " was not set).");
                System.out.println("PostgreSQL skipped: " + POSTGRES_URL_VARIABLE + " is not set");
            } else {
                try (var db = BenchDatabase.postgres(postgresUrl)) {
                    database(db);
                }
            }
        }
        String loadAfter = loadAverage();
        Runtime runtime = Runtime.getRuntime();
        report.header(String.format(Locale.ROOT, "**Machine:** %d cores (%s), %s, Java %s (%s), max heap %s; %s. "
                + "**Run:** %s, %.1f min, load average before %s, after %s.",
                runtime.availableProcessors(), cpuModel(), System.getProperty("os.name") + " "
                        + System.getProperty("os.version"), System.getProperty("java.runtime.version"),
                System.getProperty("java.vm.name"), Report.megabytes(runtime.maxMemory()),
                databases.isEmpty() ? "no database" : String.join("; ", databases),
                ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")),
                (System.nanoTime() - started) / 60e9, loadBefore, loadAfter));
        report.header("");
        report.header(String.format(Locale.ROOT, "Settings: %d round(s) of %d s per throughput figure (median shown),"
                + " catch-up backlog %,d signals, payload: signal data of about 330 bytes of JSON.%s", rounds,
                roundTime.toSeconds(), backlog, backlog < 1_000_000 || quick
                        ? " **A shortened run: not the figures to commit.**" : ""));
        report.write(out);
        System.out.println("wrote " + out.toAbsolutePath());
    }

    // ------------------------------------------------------------------ in memory

    private void inMemory() throws Exception {
        int count = quick ? 300_000 : 1_000_000;
        InMemoryThroughput.handoffRate(count / 2);
        InMemoryThroughput.publishAndAckRate(count / 2);
        double[] handoff = new double[rounds];
        double[] bus = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            handoff[r] = InMemoryThroughput.handoffRate(count);
            bus[r] = InMemoryThroughput.publishAndAckRate(count);
            System.out.printf("  round %d: hand-off %,.0f/s, publish+ack %,.0f/s%n", r + 1, handoff[r], bus[r]);
        }
        report.rate("In memory (macro: " + String.format(Locale.ROOT, "%,d", count) + " signals a round, 1 publisher)",
                "publish + ack, 1 persistent subscription acking at once", Samples.median(bus),
                "ArrayBlockingQueue hand-off, 2 threads", Samples.median(handoff), 0.5);
    }

    // ------------------------------------------------------------------ one database

    private void database(BenchDatabase db) throws Exception {
        String version = db.version();
        databases.add(version);
        section(version);
        String section = db.name + " — durable publish (1 row = 1 signal)";
        var raw = new RawJdbc(db.dataSource());
        var samples = new Samples();
        var commitLatencies = new Latencies(4_000_000);
        // -Dbench.notify=false measures group commit without pg_notify in its statement (A/B of that cost)
        try (var store = JdbcSignalStore.builder(db.dataSource())
                .notifications(Boolean.parseBoolean(System.getProperty("bench.notify", "true"))).build()) {
            var bus = new DurableBus(store);
            if (parts.contains("publish")) {
                Warmup.untilCompiled(() -> publishRound(db, raw, bus, new Samples(), null));
                for (int r = 1; r <= rounds; r++) {
                    System.out.println("  round " + r);
                    publishRound(db, raw, bus, samples, commitLatencies);
                }
                publishRows(section, samples);
            } else { // the other parts' first publishes: a second of each shape
                Duration warmup = Duration.ofSeconds(1);
                reset(db, raw);
                raw.singleRowPerTransaction(8, warmup, null);
                reset(db, raw);
                raw.batchPerTransaction(1, 100, warmup);
                reset(db, raw);
                bus.publish(8, 1, warmup);
                reset(db, raw);
                bus.publish(1, 100, warmup);
            }
            if (parts.contains("e2e")) {
                endToEnd(db, raw, commitLatencies);
            }
            if (parts.contains("catchup")) {
                catchUp(db, raw, store, bus);
            }
            if (parts.contains("fanout")) {
                fanOut(db, raw, bus, samples);
            }
        }
        // These parts start their own stores, as many as the applications they stand for; the store above,
        // left open, would add its threads (the sequencer's backstop walks staging every poll interval)
        if (parts.contains("txpublish")) {
            TransactionalPublish.measure(db, raw, report, rounds, roundTime, Duration.ofSeconds(quick ? 5 : 10));
        }
        if (parts.contains("instances") && db.postgres) {
            CrossInstance.measure(db, report, Duration.ofSeconds(quick ? 5 : 10));
        }
        if (parts.contains("partitions") && db.postgres) {
            PartitionScaling.measure(db, report, quick ? 1 : Math.min(rounds, 3), quick ? 2_000 : 4_000);
        }
    }

    /** A round of durable publish: each shape, raw JDBC then the bus; raw 1 x 1's commit latencies into commits. */
    private void publishRound(BenchDatabase db, RawJdbc raw, DurableBus bus, Samples samples,
            @Nullable Latencies commits) throws Exception {
        measure(samples, "raw 1x1", () -> raw.singleRowPerTransaction(1, roundTime, commits), db, raw);
        measure(samples, "bus 1x1", () -> bus.publish(1, 1, roundTime), db, raw);
        measure(samples, "raw 8x1", () -> raw.singleRowPerTransaction(8, roundTime, null), db, raw);
        measure(samples, "bus 8x1", () -> bus.publish(8, 1, roundTime), db, raw);
        measure(samples, "raw 1x100", () -> raw.batchPerTransaction(1, 100, roundTime), db, raw);
        measure(samples, "bus 1x100", () -> bus.publish(1, 100, roundTime), db, raw);
        measure(samples, "raw 8x100", () -> raw.batchPerTransaction(8, 100, roundTime), db, raw);
        measure(samples, "bus 8x100", () -> bus.publish(8, 100, roundTime), db, raw);
    }

    private void publishRows(String section, Samples samples) {
        report.rate(section, "publish 1 signal per call, 1 thread", samples.median("bus 1x1"),
                "raw 1 row/tx, 1 thread", samples.median("raw 1x1"), null);
        report.rate(section, "publish 1 signal per call, 8 threads", samples.median("bus 8x1"),
                "raw 1 row/tx, 8 threads", samples.median("raw 8x1"), 2.0);
        report.rate(section, "publish 100 signals per call, 1 thread", samples.median("bus 1x100"),
                "raw JDBC batch of 100/tx, 1 thread", samples.median("raw 1x100"), 0.8);
        report.rate(section, "publish 100 signals per call, 8 threads", samples.median("bus 8x100"),
                "raw JDBC batch of 100/tx, 8 threads", samples.median("raw 8x100"), 0.8);
    }

    /**
     * Fills the log (raw and through the bus), reads it back raw, then lets a new subscription catch
     * up, after a warm-up catch-up over {@value #SMALL_BACKLOG} signals.
     */
    private void catchUp(BenchDatabase db, RawJdbc raw, JdbcSignalStore store, DurableBus bus) throws Exception {
        String section = db.name + " — catch-up and fan-out";
        section(db.name + " catch-up over " + backlog);
        reset(db, raw);
        Load.Result rawFill = raw.multiRowInserts(1000, backlog);
        System.out.printf("  raw multi-row 1,000: %,.0f/s%n", rawFill.perSecond());
        DurableBus.Backlog log = bus.fill(backlog);
        report.rate(section, String.format(Locale.ROOT, "publish 1,000 signals per call, 1 thread (filling the %,d"
                + " backlog)", backlog), log.fill().perSecond(), "raw multi-row INSERT of 1,000/tx",
                rawFill.perSecond(), null);
        db.analyze();
        rawSequentialRead = raw.sequentialRead(500).perSecond();
        System.out.printf("  raw sequential read: %,.0f/s%n", rawSequentialRead);
        String rawRead = "raw sequential read by position, 500/query: " + Report.rate(rawSequentialRead);

        long small = Math.min(SMALL_BACKLOG, backlog);
        section(db.name + " catch-up over " + small + " (warm-up)");
        DurableBus.CatchUp warmUp = DurableBus.catchUp(bus.fill(small), store, "warm-up");
        System.out.printf("  warm-up: %,.0f/s%n", warmUp.read().perSecond());

        section(db.name + " catch-up over " + backlog);
        DurableBus.CatchUp catchUp = DurableBus.catchUp(log, store, "catch-up");
        double rate = catchUp.read().perSecond();
        System.out.printf("  catch-up: %,.0f/s%n", rate);
        report.add(section, new Report.Row(String.format(Locale.ROOT, "catch-up: new subscription from origin over"
                + " %,d signals, ack on return", backlog),
                Report.rate(rate), rawRead, Report.ratio(rate / rawSequentialRead), "≥ 50,000/s",
                Report.met(rate >= 50_000)));
        long[] live = catchUp.liveHeap();
        report.add(section, new Report.Row(String.format(Locale.ROOT, "catch-up: live heap (after full GC) at 0 / 25 /"
                + " 50 / 75 / 100 %%; peak used %s, peak after any of %d GCs %s", Report.megabytes(catchUp.peakUsed()),
                catchUp.collections(), Report.megabytes(catchUp.peakAfterGc())),
                Arrays.stream(live).mapToObj(b -> String.format(Locale.ROOT, "%,.0f", b / 1048576.0))
                        .collect(Collectors.joining(" / ")) + " MB",
                "live heap before: " + Report.megabytes(live[0]),
                "+" + Report.megabytes(catchUp.maxGrowth()), "flat (growth < 64 MB)",
                Report.met(catchUp.maxGrowth() < 64L * 1024 * 1024)));
    }

    private void fanOut(BenchDatabase db, RawJdbc raw, DurableBus bus, Samples samples) throws Exception {
        String section = db.name + " — catch-up and fan-out";
        section(db.name + " fan-out");
        reset(db, raw);
        long signals = quick ? 10_000 : 50_000;
        DurableBus.FanOut fanOut = bus.fanOut(signals);
        report.rate(section, String.format(Locale.ROOT, "fan-out: %,d signals published (100 per call, 1 thread) to"
                + " %d persistent subscriptions on overlapping patterns, all acked", signals, fanOut.subscriptions()),
                fanOut.signalsPerSecond(), "publish only, 100 per call, 1 thread", samples.median("bus 1x100"), null);
        report.rate(section, String.format(Locale.ROOT, "fan-out: deliveries acked (%,d in all, %.1f per signal)",
                fanOut.deliveries(), (double) fanOut.deliveries() / fanOut.signals()), fanOut.deliveriesPerSecond(),
                "raw sequential read", rawSequentialRead, null);
    }

    /** 8 publishers and one {@code @SignalListener(persistent = true)}, at full speed and at 1,000/s. */
    private void endToEnd(BenchDatabase db, RawJdbc raw, Latencies commitLatencies) throws Exception {
        var samples = new Samples();
        section(db.name + " end to end (@SignalListener)");
        String section = db.name + " — end to end: 8 publishers, one @SignalListener(persistent = true) acking on return";
        reset(db, raw);
        var full = new ArrayList<SpringEndToEnd.Result>();
        SpringEndToEnd.Result fixed;
        long readBefore;
        long readAfter;
        long delivered = 0;
        try (var e2e = new SpringEndToEnd(db.dataSource())) {
            Warmup.untilCompiled(() -> {
                raw.singleRowPerTransaction(8, roundTime, null);
                e2e.fullSpeed(8, roundTime);
            });
            TimeUnit.SECONDS.sleep(1); // the statistics lag
            readBefore = db.logRowsRead();
            for (int r = 1; r <= rounds; r++) {
                System.out.println("  round " + r);
                raw.reset();
                db.execute("TRUNCATE TABLE " + BenchDatabase.RAW_TABLE);
                db.settle();
                samples.add("e2e raw 8x1", raw.singleRowPerTransaction(8, roundTime, null).perSecond());
                db.settle();
                SpringEndToEnd.Result result = e2e.fullSpeed(8, roundTime);
                samples.add("e2e", result.completed().perSecond());
                delivered += result.completed().units();
                full.add(result);
                System.out.printf("    e2e raw 8x1 %,.0f/s, e2e %,.0f/s, p99 %.2f ms%n", samples.last("e2e raw 8x1"),
                        samples.last("e2e"), result.latencies().percentileMillis(99));
            }
            TimeUnit.SECONDS.sleep(1);
            readAfter = db.logRowsRead();
            Duration fixedTime = Duration.ofSeconds(quick ? 5 : 10);
            e2e.fixedRate(8, 1000, Duration.ofSeconds(2));
            db.settle();
            fixed = e2e.fixedRate(8, 1000, fixedTime);
        }
        double e2eRate = samples.median("e2e");
        double rawRate = samples.median("e2e raw 8x1");
        report.add(section, new Report.Row("completed at full speed (published, delivered, acked)", Report.rate(e2eRate),
                "raw 1 row/tx, 8 threads: " + Report.rate(rawRate), Report.ratio(e2eRate / rawRate),
                "≥ 10,000/s on PostgreSQL", db.postgres ? Report.met(e2eRate >= 10_000) : "—"));
        SpringEndToEnd.Result middle = Samples.medianBy(full, r -> r.latencies().percentileMillis(99));
        double commitP99 = commitLatencies.percentileMillis(99);
        String commit = "raw 1-row INSERT+COMMIT p99 (1 thread): " + Report.millis(commitP99);
        report.add(section, new Report.Row("latency at full speed, p50 / p99 / p99.9 (the round with the median p99);"
                + " publish call p99 " + Report.millis(middle.publishCalls().percentileMillis(99)),
                percentiles(middle.latencies()), commit,
                Report.ratio(middle.latencies().percentileMillis(99) / commitP99) + " (p99)", "—", "—"));
        double p99 = fixed.latencies().percentileMillis(99);
        report.add(section, new Report.Row(String.format(Locale.ROOT, "latency at a fixed 1,000/s (%,d signals),"
                + " p50 / p99 / p99.9; publish call p99 %s", fixed.latencies().count(),
                Report.millis(fixed.publishCalls().percentileMillis(99))), percentiles(fixed.latencies()), commit,
                Report.ratio(p99 / commitP99) + " (p99)", "p99 < 10 ms", Report.met(p99 < 10)));
        if (readBefore >= 0 && readAfter >= 0) {
            long reread = readAfter - readBefore;
            report.add(section, new Report.Row("log rows the listener's worker read back from the table in the"
                    + " full-speed rounds (hand-off missed; from pg_stat_user_tables)", String.format(Locale.ROOT,
                            "%,d of %,d (%.0f %%)", reread, delivered, 100.0 * reread / delivered), "0 (all handed off)",
                    "—", "—", "—"));
        }
    }

    static String percentiles(Latencies latencies) {
        return Report.millis(latencies.percentileMillis(50)) + " / " + Report.millis(latencies.percentileMillis(99))
                + " / " + Report.millis(latencies.percentileMillis(99.9));
    }

    private interface Measurement {
        Load.Result run() throws Exception;
    }

    private static void measure(Samples samples, String name, Measurement measurement, BenchDatabase db, RawJdbc raw)
            throws Exception {
        reset(db, raw);
        double rate = measurement.run().perSecond();
        samples.add(name, rate);
        System.out.printf("    %-10s %,10.0f/s%n", name, rate);
    }

    private static void reset(BenchDatabase db, RawJdbc raw) {
        db.reset();
        raw.reset();
    }

    static void section(String name) {
        System.out.println("== " + name + " (" + ZonedDateTime.now().format(DateTimeFormatter.ISO_LOCAL_TIME) + ")");
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " / " + parts[1] + " / " + parts[2];
        } catch (Exception e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
        } catch (Exception e) {
            return "unknown CPU";
        }
    }
}
