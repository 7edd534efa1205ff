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
 * committed. A rollback undoes the increment, so no position is lost. The head row also keeps the
 * time of the last append, and no row is recorded earlier: callers take their time before they
 * queue for the lock, so without it two racing appends could store times out of position order, and
 * a search of the log by time ({@code StartFrom.at}) would skip a signal.
 *
 * <p>Where the dialect can move the head and insert any number of rows in one statement (PostgreSQL),
 * each bus takes one statement per {@link #MAX_ROWS_PER_STATEMENT} rows or
 * {@link #MAX_CHARS_PER_STATEMENT} characters of envelopes, and a group of one bus that fits in one
 * statement can commit by itself ({@link #commitInOneStatement}). Elsewhere (H2, in
 * process, where round trips cost nothing) the head moves first and the rows go in one JDBC batch.
 */
final class LogWriter {

    private static final String INSERT_ROW = "INSERT INTO signal_bus_log (bus, position, signal_id, type,"
            + " recorded_at, envelope) VALUES (?, ?, ?, ?, ?, ?)";

    /** Rows per array statement (about 0.5 MB of envelopes for typical signals). */
    static final int MAX_ROWS_PER_STATEMENT = 1000;

    /**
     * Envelope characters per array statement (unless one row alone has more): with large payloads
     * (up to {@code max-payload-size}, 1 MB by default, each), a statement of 1,000 rows would be a
     * gigabyte, in the driver's memory and the server's.
     */
    static final long MAX_CHARS_PER_STATEMENT = 4L * 1024 * 1024;

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
            addRows(byBus.computeIfAbsent(request.bus(), bus -> new ArrayList<>()), request);
        }
        var heads = new HashMap<String, Head>();
        byBus.forEach((bus, rows) -> heads.put(bus, append(bus, rows)));
        return results(group, heads);
    }

    /** Whether {@link #commitInOneStatement} can write the group: one bus, rows for one statement. */
    boolean fitsOneStatement(List<AppendRequest> group) {
        if (appendLog == null) {
            return false;
        }
        String bus = group.get(0).bus();
        int rows = 0;
        long chars = 0;
        for (AppendRequest request : group) {
            if (!request.bus().equals(bus)) {
                return false;
            }
            rows += request.size();
            for (String envelope : request.envelopes()) {
                chars += envelope.length();
            }
        }
        return withinOneStatement(rows, chars);
    }

    /** The bounds of one array statement; a single row goes alone whatever its size. */
    private static boolean withinOneStatement(int rows, long chars) {
        return rows <= MAX_ROWS_PER_STATEMENT && (chars <= MAX_CHARS_PER_STATEMENT || rows == 1);
    }

    /**
     * Writes a group that {@link #fitsOneStatement fits one statement} on a connection outside any
     * transaction and commits it: by itself in auto-commit mode (one round trip), else explicitly.
     */
    List<List<RecordedSignal>> commitInOneStatement(Connection connection, List<AppendRequest> group)
            throws SQLException {
        String bus = group.get(0).bus();
        var rows = new ArrayList<Row>();
        group.forEach(request -> addRows(rows, request));
        boolean autoCommit = connection.getAutoCommit();
        try {
            Head head = appendInOneStatement(connection, bus, rows);
            if (!autoCommit) {
                connection.commit();
            }
            return results(group, new HashMap<>(Map.of(bus, head)));
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

    /** Adds the rows of a request to those of its bus, each at least as late as the rows before it. */
    private static void addRows(List<Row> rows, AppendRequest request) {
        Instant at = latest(rows.isEmpty() ? null : rows.get(rows.size() - 1).recordedAt(), request.recordedAt());
        for (int i = 0; i < request.size(); i++) {
            rows.add(new Row(request, i, at));
        }
    }

    private static Instant latest(@Nullable Instant earlier, Instant later) {
        return earlier != null && earlier.isAfter(later) ? earlier : later;
    }

    /** The recorded signals of each request, in group order, from where each bus's head was before. */
    private static List<List<RecordedSignal>> results(List<AppendRequest> group, Map<String, Head> heads) {
        var results = new ArrayList<List<RecordedSignal>>(group.size());
        for (AppendRequest request : group) {
            Head before = heads.get(request.bus());
            Instant at = latest(before.recordedAt(), request.recordedAt());
            var recorded = new ArrayList<RecordedSignal>(request.size());
            for (int i = 0; i < request.size(); i++) {
                recorded.add(new RecordedSignal(before.position() + 1 + i, request.signals().get(i), at));
            }
            heads.put(request.bus(), new Head(before.position() + request.size(), at));
            results.add(recorded);
        }
        return results;
    }

    /** Appends the rows of one bus in order in the current transaction; returns where the head was. */
    private Head append(String bus, List<Row> rows) {
        if (appendLog == null) {
            Head before = moveHead(bus, rows.size(), rows.get(rows.size() - 1).recordedAt());
            insert(rows, before);
            return before;
        }
        return jdbc.execute((ConnectionCallback<Head>) connection -> {
            Head before = null;
            for (int from = 0, to; from < rows.size(); from = to) {
                to = endOfStatement(rows, from);
                Head beforeSlice = appendInOneStatement(connection, bus, rows.subList(from, to));
                if (before == null) {
                    before = beforeSlice;
                }
            }
            return before;
        });
    }

    /** Where the statement whose first row is {@code from} ends: within both bounds, with at least one row. */
    private static int endOfStatement(List<Row> rows, int from) {
        int to = from;
        long chars = 0;
        while (to < rows.size() && withinOneStatement(to - from + 1, chars + rows.get(to).envelope().length())) {
            chars += rows.get(to).envelope().length();
            to++;
        }
        return to;
    }

    /** Runs {@link JdbcDialect#appendLog} (creating the head row first if the bus has none); returns where the head was. */
    private Head appendInOneStatement(Connection connection, String bus, List<Row> rows) throws SQLException {
        int count = rows.size();
        var ids = new String[count];
        var types = new String[count];
        var micros = new long[count];
        var envelopes = new String[count];
        for (int i = 0; i < count; i++) {
            Row row = rows.get(i);
            Signal signal = row.signal();
            ids[i] = signal.id();
            types[i] = signal.type();
            micros[i] = Math.addExact(Math.multiplyExact(row.recordedAt().getEpochSecond(), 1_000_000L),
                    row.recordedAt().getNano() / 1_000);
            envelopes[i] = row.envelope();
        }
        try (PreparedStatement ps = connection.prepareStatement(appendLog)) {
            ps.setLong(1, count);
            ps.setObject(2, timestamp(rows.get(count - 1).recordedAt()));
            ps.setString(3, bus);
            ps.setLong(4, count);
            ps.setObject(5, ids);
            ps.setObject(6, types);
            ps.setObject(7, micros);
            ps.setObject(8, envelopes);
            return runHeadMove(connection, ps, bus, count);
        }
    }

    /** Moves the head of {@code bus} by {@code count} and its time to at least {@code at}; returns where it was. */
    private Head moveHead(String bus, int count, Instant at) {
        return jdbc.execute((ConnectionCallback<Head>) connection -> {
            try (PreparedStatement ps = connection.prepareStatement(dialect.moveHead)) {
                ps.setLong(1, count);
                ps.setObject(2, timestamp(at));
                ps.setObject(3, timestamp(at));
                ps.setString(4, bus);
                return runHeadMove(connection, ps, bus, count);
            }
        });
    }

    /**
     * Runs a prepared statement that moves the head of {@code bus} by {@code count}, creating the
     * head row first when the bus has none (the statement then finds no row); returns where it was.
     */
    private Head runHeadMove(Connection connection, PreparedStatement ps, String bus, int count) throws SQLException {
        Head before = headBefore(ps, count);
        if (before == null) {
            createHead(connection, bus);
            before = headBefore(ps, count);
        }
        if (before == null) {
            throw new IllegalStateException("the head row of bus '" + bus + "' is missing after it was created");
        }
        return before;
    }

    /**
     * Runs a statement returning a head position and the time of the last append before it; null
     * when the bus has no head row. {@code movedBy} is subtracted from the position it returns.
     */
    private static @Nullable Head headBefore(PreparedStatement ps, int movedBy) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            OffsetDateTime at = rs.getObject(2, OffsetDateTime.class);
            return new Head(rs.getLong(1) - movedBy, at == null ? null : at.toInstant());
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

    private void insert(List<Row> rows, Head before) {
        jdbc.batchUpdate(INSERT_ROW, new BatchPreparedStatementSetter() {
            @Override
            public void setValues(PreparedStatement ps, int i) throws SQLException {
                Row row = rows.get(i);
                ps.setString(1, row.request().bus());
                ps.setLong(2, before.position() + 1 + i);
                ps.setString(3, row.signal().id());
                ps.setString(4, row.signal().type());
                ps.setObject(5, timestamp(latest(before.recordedAt(), row.recordedAt())));
                ps.setString(6, row.envelope());
            }

            @Override
            public int getBatchSize() {
                return rows.size();
            }
        });
    }

    private static OffsetDateTime timestamp(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    /**
     * The {@code index}-th signal of a request, to be recorded at {@code recordedAt} or at the time
     * of the last append before it, whichever is later.
     */
    private record Row(AppendRequest request, int index, Instant recordedAt) {

        Signal signal() {
            return request.signals().get(index);
        }

        String envelope() {
            return request.envelopes().get(index);
        }
    }

    /** Where the head of a bus was: the last position and the time of the last append (null before the first). */
    private record Head(long position, @Nullable Instant recordedAt) {
    }
}
