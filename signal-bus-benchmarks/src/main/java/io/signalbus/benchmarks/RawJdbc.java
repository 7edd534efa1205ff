package io.signalbus.benchmarks;

import io.signalbus.SignalIds;
import io.signalbus.json.SignalJson;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The storage limit: plain JDBC on {@code bench_raw_log}, a table shaped exactly like
 * {@code signal_bus_log} (same columns, keys and index), rows carrying real signal envelopes
 * (about 330 bytes of data). Positions come from an in-process counter, so nothing serialises the
 * writers but the database itself.
 */
final class RawJdbc {

    private static final String BUS = "raw";
    private static final String INSERT_COLUMNS = "INSERT INTO " + BenchDatabase.RAW_TABLE
            + " (bus, position, signal_id, type, recorded_at, envelope) VALUES ";
    private static final String ROW = "(?, ?, ?, ?, ?, ?)";

    private final DataSource dataSource;
    private final AtomicLong positions = new AtomicLong();
    private final String[] envelopes = new String[256];

    RawJdbc(DataSource dataSource) {
        this.dataSource = dataSource;
        var codec = new SignalJson();
        for (int i = 0; i < envelopes.length; i++) {
            envelopes[i] = codec.encode(Payloads.signal(i, System.nanoTime()).withTime(Instant.now()));
        }
    }

    /** After the table was emptied: positions start again at 1. */
    void reset() {
        positions.set(0);
    }

    /**
     * One INSERT and one COMMIT per row from {@code threads} threads; rows/s. With
     * {@code commitLatencies}, records each insert-and-commit time.
     */
    Load.Result singleRowPerTransaction(int threads, Duration duration, @Nullable Latencies commitLatencies)
            throws Exception {
        return Load.run(threads, duration, thread -> new JdbcWorker(INSERT_COLUMNS + ROW) {
            @Override
            public int step() throws SQLException {
                long started = System.nanoTime();
                bind(statement, 1, positions.incrementAndGet());
                statement.executeUpdate();
                connection.commit();
                if (commitLatencies != null) {
                    commitLatencies.record(System.nanoTime() - started);
                }
                return 1;
            }
        });
    }

    /**
     * The raw baseline of {@code threads} publishers of {@code perTransaction} signals per
     * transaction: one-row transactions for one, else JDBC batches of that many.
     */
    Load.Result transactions(int threads, int perTransaction, Duration duration) throws Exception {
        return perTransaction == 1 ? singleRowPerTransaction(threads, duration, null)
                : batchPerTransaction(threads, perTransaction, duration);
    }

    /**
     * {@code threads} threads together making {@code perSecond} one-row transactions (INSERT, COMMIT)
     * a second on a fixed schedule, as {@link SpringEndToEnd}'s fixed-rate publishers do; returns each
     * transaction's time from when the schedule said to start it to its commit, so that a stall of the
     * database delays the transactions behind it too, as it delays a publisher's signals.
     */
    Latencies fixedRate(int threads, int perSecond, Duration duration) throws Exception {
        var latencies = new Latencies((int) (perSecond * duration.toSeconds() * 2));
        long intervalNanos = 1_000_000_000L * threads / perSecond;
        long origin = System.nanoTime() + 10_000_000;
        Load.run(threads, duration, thread -> new JdbcWorker(INSERT_COLUMNS + ROW) {
            private long next = origin + thread * intervalNanos / threads;

            @Override
            public int step() throws SQLException {
                long wait;
                while ((wait = next - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                bind(statement, 1, positions.incrementAndGet());
                statement.executeUpdate();
                connection.commit();
                latencies.record(System.nanoTime() - next);
                next += intervalNanos;
                return 1;
            }
        });
        return latencies;
    }

    /** JDBC batches ({@code addBatch}/{@code executeBatch}) of {@code batch} one-row INSERTs, one per transaction. */
    Load.Result batchPerTransaction(int threads, int batch, Duration duration) throws Exception {
        return Load.run(threads, duration, thread -> new JdbcWorker(INSERT_COLUMNS + ROW) {
            @Override
            public int step() throws SQLException {
                for (int i = 0; i < batch; i++) {
                    bind(statement, 1, positions.incrementAndGet());
                    statement.addBatch();
                }
                statement.executeBatch();
                connection.commit();
                return batch;
            }
        });
    }

    /** One multi-row INSERT of {@code rows} rows per transaction, from one thread, until {@code total} rows are in. */
    Load.Result multiRowInserts(int rows, long total) throws Exception {
        String sql = INSERT_COLUMNS + String.join(", ", Collections.nCopies(rows, ROW));
        var inserted = new AtomicLong();
        return Load.run(1, Duration.ofDays(1), thread -> new JdbcWorker(sql) {
            @Override
            public int step() throws SQLException {
                int n = (int) Math.min(rows, total - inserted.get());
                if (n <= 0) {
                    return -1;
                }
                if (n < rows) {
                    try (PreparedStatement last = connection.prepareStatement(
                            INSERT_COLUMNS + String.join(", ", Collections.nCopies(n, ROW)))) {
                        fill(last, n);
                        last.executeUpdate();
                    }
                } else {
                    fill(statement, n);
                    statement.executeUpdate();
                }
                connection.commit();
                inserted.addAndGet(n);
                return n;
            }
        });
    }

    /**
     * Reads the whole raw log in position order, {@code page} rows per query (keyset paging, as a
     * subscription reads), taking every column as the store does, without decoding; rows/s. Ordered
     * by the whole primary key, which H2 needs to read in index order (PostgreSQL does not mind).
     */
    Load.Result sequentialRead(int page) throws Exception {
        String sql = "SELECT position, recorded_at, envelope FROM " + BenchDatabase.RAW_TABLE
                + " WHERE bus = ? AND position > ? ORDER BY bus, position LIMIT ?";
        long start = System.nanoTime();
        long after = 0;
        long rows = 0;
        long checksum = 0;
        while (true) {
            int read = 0;
            try (Connection connection = dataSource.getConnection();
                    PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, BUS);
                statement.setLong(2, after);
                statement.setInt(3, page);
                try (ResultSet rs = statement.executeQuery()) {
                    while (rs.next()) {
                        after = rs.getLong(1);
                        checksum += rs.getObject(2, OffsetDateTime.class).getNano() + rs.getString(3).length();
                        read++;
                    }
                }
            }
            rows += read;
            if (read < page) {
                break;
            }
        }
        if (checksum == 42) {
            System.out.print("");
        }
        return new Load.Result(rows, start, System.nanoTime());
    }

    private void fill(PreparedStatement statement, int rows) throws SQLException {
        int p = 1;
        for (int i = 0; i < rows; i++) {
            p = bind(statement, p, positions.incrementAndGet());
        }
    }

    private int bind(PreparedStatement statement, int first, long position) throws SQLException {
        int p = first;
        statement.setString(p++, BUS);
        statement.setLong(p++, position);
        statement.setString(p++, SignalIds.next());
        statement.setString(p++, Payloads.TYPE);
        statement.setObject(p++, OffsetDateTime.now(ZoneOffset.UTC));
        statement.setString(p++, envelopes[(int) (position & (envelopes.length - 1))]);
        return p;
    }

    /** A connection with auto-commit off and one prepared statement, for one load thread. */
    private abstract class JdbcWorker implements Load.Worker {
        final Connection connection;
        final PreparedStatement statement;

        JdbcWorker(String sql) throws SQLException {
            connection = dataSource.getConnection();
            connection.setAutoCommit(false);
            statement = connection.prepareStatement(sql);
        }

        @Override
        public void close() throws SQLException {
            statement.close();
            connection.setAutoCommit(true);
            connection.close();
        }
    }
}
