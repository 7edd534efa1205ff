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
import java.util.Collections;
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
 * fits in one statement can commit by itself ({@link #commitInOneStatement}). Elsewhere the head
 * moves first and rows go in multi-row INSERTs of {@link #CHUNKS} sizes: full chunks of the largest
 * size, then the rest greedily by the other sizes, so a group takes few round trips and each
 * connection prepares at most a handful of distinct statements.
 */
final class LogWriter {

    // 100, the guide's batch size, gets a statement of its own: one round trip instead of 64 + 32 + 4
    private static final int[] CHUNKS = {128, 100, 64, 32, 16, 8, 4, 2, 1};

    /** Rows per array statement: a bound on one message's size (about 0.5 MB for typical signals). */
    static final int MAX_ROWS_PER_STATEMENT = 1000;

    /** SQLSTATE of a unique constraint violation, on H2 and PostgreSQL alike. */
    private static final String UNIQUE_VIOLATION = "23505";

    private final JdbcTemplate jdbc;
    private final Map<Integer, String> inserts = new HashMap<>();
    private final JdbcDialect dialect;
    private final @Nullable String appendLog;

    LogWriter(JdbcTemplate jdbc, JdbcDialect dialect) {
        this.jdbc = jdbc;
        this.dialect = dialect;
        this.appendLog = dialect.appendLog();
        for (int chunk : CHUNKS) {
            inserts.put(chunk, "INSERT INTO signal_bus_log (bus, position, signal_id, type, recorded_at, envelope) VALUES "
                    + String.join(", ", Collections.nCopies(chunk, "(?, ?, ?, ?, ?, ?)")));
        }
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
        int largest = CHUNKS[0];
        int fullChunks = rows.size() / largest;
        if (fullChunks > 0) {
            jdbc.batchUpdate(inserts.get(largest), new BatchPreparedStatementSetter() {
                @Override
                public void setValues(PreparedStatement ps, int i) throws SQLException {
                    bind(ps, rows.subList(i * largest, (i + 1) * largest), firstPosition + (long) i * largest);
                }

                @Override
                public int getBatchSize() {
                    return fullChunks;
                }
            });
        }
        int offset = fullChunks * largest;
        for (int chunk : chunkSizes(rows.size() - offset)) {
            List<Row> slice = rows.subList(offset, offset + chunk);
            long position = firstPosition + offset;
            jdbc.update(inserts.get(chunk), (PreparedStatement ps) -> bind(ps, slice, position));
            offset += chunk;
        }
    }

    /** Chunk sizes that add up to {@code count}: full largest chunks, then its binary digits. */
    private static List<Integer> chunkSizes(int count) {
        var sizes = new ArrayList<Integer>();
        int left = count;
        for (; left >= CHUNKS[0]; left -= CHUNKS[0]) {
            sizes.add(CHUNKS[0]);
        }
        for (int chunk : CHUNKS) {
            if (left >= chunk) {
                sizes.add(chunk);
                left -= chunk;
            }
        }
        return sizes;
    }

    /** Parameters of the plain inserts: bus, position, id, type, recorded at, envelope per row. */
    private static void bind(PreparedStatement ps, List<Row> rows, long firstPosition) throws SQLException {
        int p = 1;
        long position = firstPosition;
        for (Row row : rows) {
            ps.setString(p++, row.request().bus());
            ps.setLong(p++, position++);
            p = bindSignal(ps, p, row);
        }
    }

    private static int bindSignal(PreparedStatement ps, int first, Row row) throws SQLException {
        int p = first;
        ps.setString(p++, row.request().signals().get(row.index()).id());
        ps.setString(p++, row.request().signals().get(row.index()).type());
        ps.setObject(p++, OffsetDateTime.ofInstant(row.request().recordedAt(), ZoneOffset.UTC));
        ps.setString(p++, row.request().envelopes().get(row.index()));
        return p;
    }

    /** The {@code index}-th signal of a request. */
    private record Row(AppendRequest request, int index) {
    }
}
