package io.signalbus.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.signalbus.jdbc.SignalBusSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * A database the macro benchmarks own for one run: an H2 file database in a fresh folder under
 * {@code target/}, or a fresh schema in the PostgreSQL database of {@code SIGNAL_BUS_BENCH_POSTGRES_URL}
 * (dropped at the end). It holds the signal-bus tables (signal-bus-jdbc's migrations) and
 * {@code bench_raw_log}, shaped exactly like {@code signal_bus_log}, for the raw JDBC baselines.
 * Connections come from a HikariCP pool of {@value #POOL_SIZE}: the raw baselines use at most 8, and the
 * bus needs its own beside 8 publishers in transactions (LISTEN, sequencer, subscription reads and
 * checkpoints), as an application sizing its pool would allow.
 */
final class BenchDatabase implements AutoCloseable {

    static final int POOL_SIZE = 16;
    static final String RAW_TABLE = "bench_raw_log";

    final String name;
    final boolean postgres;
    final HikariDataSource dataSource;
    private final Path h2Folder;
    private final String schema;
    private final String url;
    /** PostgreSQL only: whether the server's autovacuum is on ({@link #settle}). */
    private final boolean autovacuum;

    private BenchDatabase(String name, boolean postgres, String url, String schema, Path h2Folder) {
        this.name = name;
        this.postgres = postgres;
        this.url = url;
        this.schema = schema;
        this.h2Folder = h2Folder;
        this.dataSource = pool("bench-" + name);
        this.autovacuum = postgres && "on".equals(setting("autovacuum"));
    }

    /**
     * A pool of {@value #POOL_SIZE} on this database and schema, named {@code name}: the benchmark's,
     * or one more for a second application instance (the caller closes it).
     */
    HikariDataSource pool(String name) {
        var config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setMaximumPoolSize(POOL_SIZE);
        config.setMinimumIdle(POOL_SIZE);
        config.setPoolName(name);
        if (schema != null) {
            config.setSchema(schema);
        }
        return new HikariDataSource(config);
    }

    /**
     * H2 in file mode. {@code WRITE_DELAY=0} is what the JDBC store sets on H2 when it starts (so that
     * a killed process loses no commit); it is in the URL so the raw baselines run under it too.
     */
    static BenchDatabase h2(Path folder) throws IOException {
        deleteRecursively(folder);
        Files.createDirectories(folder);
        String url = "jdbc:h2:file:" + folder.toAbsolutePath().resolve("bench") + ";WRITE_DELAY=0" + System.getProperty("bench.h2.settings", "");
        return new BenchDatabase("H2", false, url, null, folder).migrated();
    }

    /** A fresh schema {@code signal_bus_bench_<time>} in the given PostgreSQL database. */
    static BenchDatabase postgres(String url) throws SQLException {
        String schema = "signal_bus_bench_" + System.currentTimeMillis();
        try (Connection connection = DriverManager.getConnection(url); Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA " + schema);
        }
        return new BenchDatabase("PostgreSQL", true, url, schema, null).migrated();
    }

    private BenchDatabase migrated() {
        SignalBusSchema.migrate(dataSource);
        execute("CREATE TABLE " + RAW_TABLE + " (bus VARCHAR(100) NOT NULL, position BIGINT NOT NULL,"
                + " signal_id VARCHAR(256) NOT NULL, type VARCHAR(255) NOT NULL,"
                + " recorded_at TIMESTAMP WITH TIME ZONE NOT NULL, envelope " + (postgres ? "TEXT" : "CHARACTER VARYING")
                + " NOT NULL, CONSTRAINT bench_raw_log_pk PRIMARY KEY (bus, position),"
                + " CONSTRAINT bench_raw_log_signal_id_uk UNIQUE "
                + (postgres ? "(signal_id, bus))" : "(bus, signal_id))")); // as the log's (V8 on PostgreSQL)
        execute("CREATE INDEX bench_raw_log_recorded_at_ix ON " + RAW_TABLE + " (bus, recorded_at, position)"
                + (postgres ? " WHERE recorded_at IS NOT NULL" : "")); // as the log's (V5)
        return this;
    }

    DataSource dataSource() {
        return dataSource;
    }

    /** Empties the log, the raw table and every subscription, so each measurement starts alike. */
    void reset() {
        execute("TRUNCATE TABLE signal_bus_log");
        execute("TRUNCATE TABLE " + RAW_TABLE);
        execute("DELETE FROM signal_bus_subscription");
        execute("DELETE FROM signal_bus_head");
        settle();
    }

    /**
     * PostgreSQL only: a checkpoint now, so that one the WAL of earlier measurements calls for (with
     * the default max_wal_size, every few hundred MB) does not start during the next one and slow
     * only that figure with its writes and full-page images. Where the server runs without
     * autovacuum, the staging table is vacuumed first, as autovacuum would have done by then (it
     * vacuums a table of a few live rows once 50 are dead, within its minute's nap): else every
     * signal ever published in a transaction in this run leaves its row and index entries for the
     * next measurement to pass over, which no installation with autovacuum on (the default) sees. And
     * the log is analyzed, as autovacuum's analyze would have done: with no statistics PostgreSQL took
     * a signal id to match thousands of rows once the run had published about 1.3 million signals, and
     * JIT-compiled every staging insert from then on (1 × 100 fell from 55,000 to 13,000 signals a
     * second, in every round after).
     */
    void settle() {
        if (postgres) {
            if (!autovacuum) {
                execute("VACUUM signal_bus_pending");
                execute("ANALYZE signal_bus_log");
            }
            execute("CHECKPOINT");
        }
    }

    /** A server setting, as {@code SHOW} gives it. */
    private String setting(String name) {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
                var rs = statement.executeQuery("SHOW " + name)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(this.name + ": SHOW " + name + ": " + e.getMessage(), e);
        }
    }

    /** Refreshes planner statistics after a bulk load, as autovacuum would shortly after. */
    void analyze() {
        if (postgres) {
            execute("ANALYZE signal_bus_log");
            execute("ANALYZE " + RAW_TABLE);
        } else {
            execute("ANALYZE");
        }
    }

    /**
     * PostgreSQL only: rows of {@code signal_bus_log} read so far (index and sequential scans, from
     * the cumulative statistics, which lag by up to a second); -1 on H2.
     */
    long logRowsRead() {
        if (!postgres) {
            return -1;
        }
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement();
                var rs = statement.executeQuery("SELECT COALESCE(idx_tup_fetch, 0) + COALESCE(seq_tup_read, 0)"
                        + " FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname = 'signal_bus_log'")) {
            return rs.next() ? rs.getLong(1) : -1;
        } catch (SQLException e) {
            return -1;
        }
    }

    void execute(String sql) {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(name + ": " + sql + ": " + e.getMessage(), e);
        }
    }

    /** Product and version, e.g. "PostgreSQL 15.20 (...)". */
    String version() {
        try (Connection connection = dataSource.getConnection()) {
            var meta = connection.getMetaData();
            String version = meta.getDatabaseProductName() + " " + meta.getDatabaseProductVersion();
            if (postgres) {
                version += ", synchronous_commit=" + setting("synchronous_commit") + ", autovacuum="
                        + (autovacuum ? "on" : "off (the staging table is vacuumed and the log analyzed before each"
                        + " measurement, as autovacuum would keep them)");
            } else {
                version += ", file mode, WRITE_DELAY=0";
            }
            return version;
        } catch (SQLException e) {
            return name + " (version unknown: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws Exception {
        dataSource.close();
        if (postgres) {
            try (Connection connection = DriverManager.getConnection(url);
                    Statement statement = connection.createStatement()) {
                statement.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        } else {
            deleteRecursively(h2Folder);
        }
    }

    private static void deleteRecursively(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
