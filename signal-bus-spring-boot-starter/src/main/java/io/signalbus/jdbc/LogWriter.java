package io.signalbus.jdbc;

import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Appends groups of {@link AppendRequest}s to the log. Positions come from the bus's head row
 * ({@code position = position + n}): its row lock is held until commit, so appends to one bus commit
 * one after another in position order and no reader can see a position before every lower one is
 * committed. A rollback undoes the increment, so no position is lost.
 *
 * <p>Where the dialect can move the head and insert any number of rows in one statement (PostgreSQL),
 * each bus takes one statement per {@link #MAX_ROWS_PER_STATEMENT} rows, and a group of one bus that
 * fits in one statement can commit by itself ({@link #commitInOneStatement}). Elsewhere (H2, in
 * process, where round trips cost nothing) the head moves first and the rows go in one JDBC batch.
 */
final class LogWriter {

    private static final String INSERT_ROW = "INSERT INTO signal_bus_log (bus, position, signal_id, type,"
            + " recorded_at, envelope) VALUES (?, ?, ?, ?, ?, ?)";

    /** Rows per array statement: a bound on one message's size (about 0.5 MB for typical signals). */
    static final int MAX_ROWS_PER_STATEMENT = 1000;

    /** SQLSTATE of a unique constraint violation, on H2 and PostgreSQL alike. */
    private static final String UNIQUE_VIOLATION = "23505";

    private final JdbcTemplate jdbc;
    private final JdbcDialect dialect;
    private final @Nullable String appendLog;

    LogWriter(JdbcTemplate jdbc, JdbcDialect dialect) {
        this.jdbc = jdbc;
        this.dialect = dialect;
        this.appendLog = dialect.appendLog();
    }

    /** Writes every request of the group in the current transaction; the results are in group order. */
    List<List<RecordedSignal>> write(List<AppendRequest> group) {
        // heads are locked in bus-name order, so two groups never wait for each other in a cycle
        var byBus = new TreeMap<String, List<Row>>();
        for (AppendRequest request : group) {
            List<Row> rows = byBus.computeIfAbsent(request.bus(), bus -> new ArrayList<>());
            for (int i = 0; i < request.size(); i++) {
                rows.add(new Row(request, i));
            }
        }
        var firstPositions = new HashMap<String, Long>();
        byBus.forEach((bus, rows) -> firstPositions.put(bus, append(bus, rows)));
        return results(group, firstPositions);
    }

    /** Whether {@link #commitInOneStatement} can write the group: one bus, rows for one statement. */
    boolean fitsOneStatement(List<AppendRequest> group) {
        if (appendLog == null) {
            return false;
        }
        String bus = group.get(0).bus();
        int rows = 0;
        for (AppendRequest request : group) {
            if (!request.bus().equals(bus)) {
                return false;
            }
            rows += request.size();
        }
        return rows <= MAX_ROWS_PER_STATEMENT;
    }

    /**
     * Writes a group that {@link #fitsOneStatement fits one statement} on a connection outside any
     * transaction and commits it: by itself in auto-commit mode (one round trip), else explicitly.
     */
    List<List<RecordedSignal>> commitInOneStatement(Connection connection, List<AppendRequest> group)
            throws SQLException {
        String bus = group.get(0).bus();
        var rows = new ArrayList<Row>();
        for (AppendRequest request : group) {
            for (int i = 0; i < request.size(); i++) {
                rows.add(new Row(request, i));
            }
        }
        boolean autoCommit = connection.getAutoCommit();
        try {
            long first = appendInOneStatement(connection, bus, rows);
            if (!autoCommit) {
                connection.commit();
            }
            return results(group, new HashMap<>(Map.of(bus, first)));
        } catch (SQLException | RuntimeException e) {
            if (!autoCommit) {
                try {
                    connection.rollback();
                } catch (SQLException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                }
            }
            throw e;
        }
    }

    private static List<List<RecordedSignal>> results(List<AppendRequest> group, Map<String, Long> firstPositions) {
        var results = new ArrayList<List<RecordedSignal>>(group.size());
        for (AppendRequest request : group) {
            long first = firstPositions.get(request.bus());
            var recorded = new ArrayList<RecordedSignal>(request.size());
            for (int i = 0; i < request.size(); i++) {
                recorded.add(new RecordedSignal(first + i, request.signals().get(i), request.recordedAt()));
            }
            firstPositions.put(request.bus(), first + request.size());
            results.add(recorded);
        }
        return results;
    }

    /** Appends the rows of one bus in order in the current transaction; returns the position of the first. */
    private long append(String bus, List<Row> rows) {
        if (appendLog == null) {
            long first = allocate(bus, rows.size()) - rows.size() + 1;
            insert(rows, first);
            return first;
        }
        Long first = jdbc.execute((ConnectionCallback<Long>) connection -> {
            long firstOfAll = -1;
            for (int from = 0; from < rows.size(); from += MAX_ROWS_PER_STATEMENT) {
                List<Row> slice = rows.subList(from, Math.min(from + MAX_ROWS_PER_STATEMENT, rows.size()));
                long firstOfSlice = appendInOneStatement(connection, bus, slice);
                if (firstOfAll < 0) {
                    firstOfAll = firstOfSlice;
                }
            }
            return firstOfAll;
        });
        return requireHead(bus, first);
    }

    /** Runs {@link JdbcDialect#appendLog} (creating the head row first if the bus has none); returns the first position. */
    private long appendInOneStatement(Connection connection, String bus, List<Row> rows) throws SQLException {
        int count = rows.size();
        var ids = new String[count];
        var types = new String[count];
        var micros = new long[count];
        var envelopes = new String[count];
        for (int i = 0; i < count; i++) {
            Row row = rows.get(i);
            Signal signal = row.request().signals().get(row.index());
            ids[i] = signal.id();
            types[i] = signal.type();
            Instant recordedAt = row.request().recordedAt();
            micros[i] = Math.addExact(Math.multiplyExact(recordedAt.getEpochSecond(), 1_000_000L),
                    recordedAt.getNano() / 1_000);
            envelopes[i] = row.request().envelopes().get(row.index());
        }
        try (PreparedStatement ps = connection.prepareStatement(appendLog)) {
            ps.setLong(1, count);
            ps.setString(2, bus);
            ps.setLong(3, count);
            ps.setObject(4, ids);
            ps.setObject(5, types);
            ps.setObject(6, micros);
            ps.setObject(7, envelopes);
            Long head = newHead(ps);
            if (head == null) {
                createHead(connection, bus);
                head = newHead(ps);
            }
            return requireHead(bus, head) - count + 1;
        }
    }

    private static @Nullable Long newHead(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getLong(1) : null;
        }
    }

    private void createHead(Connection connection, String bus) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(dialect.insertHeadIfAbsent)) {
            ps.setString(1, bus);
            ps.executeUpdate();
        } catch (SQLException e) {
            if (!UNIQUE_VIOLATION.equals(e.getSQLState())) {
                throw e;
            }
            // another transaction created it first and has committed (H2's MERGE can race where
            // PostgreSQL's ON CONFLICT waits), so the retry finds it
        }
    }

    /** Moves the head of {@code bus} by {@code count}; returns the new head. */
    private long allocate(String bus, long count) {
        Long head = incrementHead(bus, count);
        if (head == null) {
            jdbc.execute((ConnectionCallback<Void>) connection -> {
                createHead(connection, bus);
                return null;
            });
            head = incrementHead(bus, count);
        }
        return requireHead(bus, head);
    }

    private @Nullable Long incrementHead(String bus, long count) {
        return jdbc.query(dialect.incrementHead, rs -> rs.next() ? rs.getLong(1) : null, count, bus);
    }

    private static long requireHead(String bus, @Nullable Long head) {
        if (head == null) {
            throw new IllegalStateException("the head row of bus '" + bus + "' is missing after it was created");
        }
        return head;
    }

    private void insert(List<Row> rows, long firstPosition) {
        jdbc.batchUpdate(INSERT_ROW, new BatchPreparedStatementSetter() {
            @Override
            public void setValues(PreparedStatement ps, int i) throws SQLException {
                Row row = rows.get(i);
                Signal signal = row.request().signals().get(row.index());
                ps.setString(1, row.request().bus());
                ps.setLong(2, firstPosition + i);
                ps.setString(3, signal.id());
                ps.setString(4, signal.type());
                ps.setObject(5, OffsetDateTime.ofInstant(row.request().recordedAt(), ZoneOffset.UTC));
                ps.setString(6, row.request().envelopes().get(row.index()));
            }

            @Override
            public int getBatchSize() {
                return rows.size();
            }
        });
    }

    /** The {@code index}-th signal of a request. */
    private record Row(AppendRequest request, int index) {
    }
}
