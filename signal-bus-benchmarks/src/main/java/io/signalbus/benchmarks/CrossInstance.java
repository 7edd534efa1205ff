package io.signalbus.benchmarks;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Two application instances on one PostgreSQL: instance A publishes (the README's
 * {@code @Transactional} service), instance B serves the persistent {@code @SignalListener} (A's
 * listener is not started, so B holds the subscription). Both run in this JVM as separate Spring
 * applications, each with its own connection pool, store, sequencer, LISTEN connection and
 * subscription threads; they meet only in the database, as two processes would. With notifications
 * on, B learns of A's commits by LISTEN/NOTIFY; poll-only, at its next poll. The baseline is the same
 * load published and handled in one instance, measured in the same run.
 */
final class CrossInstance {

    private static final int RATE = 1000;
    private static final int PUBLISHERS = 8;
    /** The default {@code signal-bus.poll-interval}. */
    private static final int POLL_INTERVAL_MILLIS = 500;

    private CrossInstance() {
    }

    /** Runs the part on {@code db} and adds its rows to {@code report}. */
    static void measure(BenchDatabase db, Report report, Duration time) throws Exception {
        MacroBenchmarks.section(db.name + " two instances (publish on A, @SignalListener on B)");
        String section = db.name + " — two instances: publish on instance A, persistent @SignalListener on instance B,"
                + " 8 publishers at a fixed 1,000/s, publish → handler";
        db.reset();
        for (boolean notify : List.of(true, false)) {
            List<String> mode = List.of("signal-bus.jdbc.notify=" + notify);
            try (var poolOfA = db.pool("bench-instance-a");
                    var b = new SpringEndToEnd(db.dataSource(), mode, TransactionalPublish.Orders.class);
                    var a = new SpringEndToEnd(poolOfA, List.of("signal-bus.jdbc.notify=" + notify,
                            "bench.listen=false"), TransactionalPublish.Orders.class)) {
                SpringEndToEnd.Sender local = b.bean(TransactionalPublish.Orders.class)::place;
                SpringEndToEnd.Sender remote = a.bean(TransactionalPublish.Orders.class)::place;
                SpringEndToEnd.fixedRate(PUBLISHERS, RATE, Duration.ofSeconds(2), local, b); // warm-up of both paths
                SpringEndToEnd.fixedRate(PUBLISHERS, RATE, Duration.ofSeconds(2), remote, b);
                db.settle();
                var same = SpringEndToEnd.fixedRate(PUBLISHERS, RATE, time, local, b);
                db.settle();
                var across = SpringEndToEnd.fixedRate(PUBLISHERS, RATE, time, remote, b);
                double sameP99 = same.latencies().percentileMillis(99);
                double acrossP99 = across.latencies().percentileMillis(99);
                System.out.printf(Locale.ROOT, "    notify=%s: one instance p99 %.2f ms, A -> B p99 %.2f ms%n", notify,
                        sameP99, acrossP99);
                String label = String.format(Locale.ROOT, "@Transactional publish on A, handled on B, %s (%,d signals):"
                        + " p50 / p99 / p99.9", notify ? "LISTEN/NOTIFY" : "poll-only (signal-bus.jdbc.notify=false,"
                        + " poll interval 500 ms)", across.latencies().count());
                report.add(section, new Report.Row(label, MacroBenchmarks.percentiles(across.latencies()),
                        "same load in one instance, p99: " + Report.millis(sameP99),
                        Report.ratio(acrossP99 / sameP99) + " (p99)", notify ? "p99 < 20 ms" : "p99 within the poll"
                        + " interval of the one-instance p99", Report.met(notify ? acrossP99 < 20
                        : acrossP99 < POLL_INTERVAL_MILLIS + sameP99)));
            }
        }
    }
}
