package io.signalbus.benchmarks;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * What the database writes and flushes for each signal published inside a transaction, against the
 * raw one-row transaction: WAL flushes (fsync calls), WAL bytes, full-page images and committed
 * transactions (publishers', sequencer's, checkpoints', and the statements run in auto-commit) per
 * signal, read from {@code pg_stat_wal} and {@code pg_stat_database} around each case (PostgreSQL 14+). Counts depend on the machine
 * less than rates do (they still move between runs: how many commits share a flush depends on
 * timing), so they show what a change to the write path costs. Run it alone (nothing else may write
 * to the cluster meanwhile; the counters are the whole cluster's):
 * {@code java -cp signal-bus-benchmarks/target/benchmarks.jar io.signalbus.benchmarks.WalPerSignal <jdbc url> [seconds]}.
 */
public final class WalPerSignal {

    private record Wal(long records, long fpi, long bytes, long syncs, long commits) {
        Wal minus(Wal before) {
            return new Wal(records - before.records, fpi - before.fpi, bytes - before.bytes, syncs - before.syncs,
                    commits - before.commits);
        }
    }

    private WalPerSignal() {
    }

    public static void main(String[] args) throws Exception {
        Duration time = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 10);
        try (BenchDatabase db = BenchDatabase.postgres(args[0]);
                var e2e = new SpringEndToEnd(db.dataSource(), TransactionalPublish.Orders.class)) {
            var raw = new RawJdbc(db.dataSource());
            SpringEndToEnd.Sender orders = e2e.bean(TransactionalPublish.Orders.class)::place;
            int[][] cases = {{1, 1}, {8, 1}, {1, 100}};
            for (int[] c : cases) {
                e2e.fullSpeed(c[0], c[1], time, orders); // warm-up
            }
            System.out.println("case    | path          | signals/s | WAL flushes/signal | WAL bytes/signal"
                    + " | full-page images/signal | commits/signal");
            for (int[] c : cases) {
                db.settle();
                Wal before = wal(db.dataSource());
                Load.Result rawResult = raw.transactions(c[0], c[1], time);
                print(c, "raw JDBC", rawResult.units(), rawResult.perSecond(), wal(db.dataSource()).minus(before));
                db.settle();
                before = wal(db.dataSource());
                SpringEndToEnd.Result result = e2e.fullSpeed(c[0], c[1], time, orders);
                print(c, "transactional", result.completed().units(), result.completed().perSecond(),
                        wal(db.dataSource()).minus(before));
            }
        }
    }

    private static void print(int[] c, String path, long signals, double perSecond, Wal wal) {
        System.out.printf(Locale.ROOT, "%d x %-3d | %-13s | %,9.0f | %18.3f | %16.0f | %23.4f | %.3f%n", c[0], c[1], path,
                perSecond, (double) wal.syncs / signals, (double) wal.bytes / signals, (double) wal.fpi / signals,
                (double) wal.commits / signals);
    }

    /**
     * The cluster's WAL counters and this database's commits. Backends report their commits at most
     * once a second, so it waits that long first (the case has ended; only stragglers are counted).
     */
    private static Wal wal(DataSource dataSource) throws Exception {
        Thread.sleep(1_500);
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT wal_records, wal_fpi, wal_bytes, wal_sync,"
                        + " (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database())"
                        + " FROM pg_stat_wal")) {
            rs.next();
            return new Wal(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5));
        }
    }
}
