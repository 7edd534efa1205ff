package io.signalbus.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGStatement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL's append: one statement ({@link PostgresStatements#appendLog()}) moves the head and
 * inserts every row, the rows passed as arrays, so a group of any size is one round trip, and
 * outside a transaction it commits by itself: the head row stays locked for a statement and a WAL
 * flush, not for three round trips. An append larger than {@link #MAX_ROWS_PER_STATEMENT} rows or
 * {@link #MAX_CHARS_PER_STATEMENT} characters of envelopes takes several statements in its transaction.
 * With notifications on, the same statement also notifies the bus ({@code pg_notify}) while another
 * session may listen ({@link BusNotifications#worthSending}), so processes that listen learn of the
 * append when it commits, at no extra round trip. A sequencing step is one
 * statement too ({@link PostgresStatements#moveStaged}): the staged envelopes go from staging to the
 * log inside the database, where reading them out and sending them back took most of a step's time,
 * and in auto-commit mode it commits by itself, one round trip a step.
 */
final class PostgresAppendStrategy implements AppendStrategy {

    private static final Logger log = LoggerFactory.getLogger(PostgresAppendStrategy.class);

    /** Rows per array statement (about 0.5 MB of envelopes for typical signals). */
    static final int MAX_ROWS_PER_STATEMENT = 1000;

    /**
     * Envelope characters per array statement (unless one row alone has more): with large payloads
     * (up to {@code max-payload-size}, 1 MB by default, each), a statement of 1,000 rows would be a
     * gigabyte, in the driver's memory and the server's.
     */
    static final long MAX_CHARS_PER_STATEMENT = 4L * 1024 * 1024;

    private final PostgresStatements statements;
    /** The append statement, and the one that also notifies the bus on {@link BusNotifications#CHANNEL}. */
    private final String appendLog;
    private final String appendLogAndNotify;
    /** The sequencing step, trusting the ids to be new or checking them against the log, and notifying. */
    private final String moveStaged;
    private final String moveStagedCheckingIds;
    private final String moveStagedAndNotify;
    private final String moveStagedCheckingIdsAndNotify;
    /** Notifies on behalf of this store; null without notifications. */
    private final @Nullable BusNotifications notifications;
    /** Whether the missing driver was reported ({@link #planEveryCall}); a race only repeats the warning. */
    private volatile boolean warnedOfDriver;

    PostgresAppendStrategy(PostgresStatements statements, @Nullable BusNotifications notifications) {
        this.statements = statements;
        this.notifications = notifications;
        this.appendLog = statements.appendLog();
        this.appendLogAndNotify = statements.appendLogAndNotify();
        this.moveStaged = statements.moveStaged(false, false);
        this.moveStagedCheckingIds = statements.moveStaged(true, false);
        this.moveStagedAndNotify = statements.moveStaged(false, true);
        this.moveStagedCheckingIdsAndNotify = statements.moveStaged(true, true);
    }

    /**
     * What a statement appending to {@code bus} notifies: with notifications on, while another
     * session may listen; else null.
     */
    private @Nullable String notification(String bus) {
        return notifications != null && notifications.worthSending() ? notifications.payload(bus) : null;
    }

    @Override
    public LogHead append(Connection connection, String bus, List<LogRow> rows) throws SQLException {
        LogHead before = null;
        for (int from = 0, to; from < rows.size(); from = to) {
            to = endOfStatement(rows, from);
            LogHead beforeSlice = appendInOneStatement(connection, bus, rows.subList(from, to));
            if (before == null) {
                before = beforeSlice;
            }
        }
        if (before == null) {
            throw new IllegalArgumentException("an append to bus '" + bus + "' needs at least one row");
        }
        return before;
    }

    /** The bounds of one array statement; a single row goes alone whatever its size. */
    @Override
    public boolean appendsInOneStatement(int rows, long envelopeChars) {
        return rows <= MAX_ROWS_PER_STATEMENT && (envelopeChars <= MAX_CHARS_PER_STATEMENT || rows == 1);
    }

    /** Where the statement whose first row is {@code from} ends: within both bounds, with at least one row. */
    private int endOfStatement(List<LogRow> rows, int from) {
        int to = from;
        long chars = 0;
        while (to < rows.size() && appendsInOneStatement(to - from + 1, chars + rows.get(to).envelope().length())) {
            chars += rows.get(to).envelope().length();
            to++;
        }
        return to;
    }

    /** Runs {@link PostgresStatements#appendLog()} (creating the head row first if the bus has none); returns where the head was. */
    private LogHead appendInOneStatement(Connection connection, String bus, List<LogRow> rows) throws SQLException {
        int count = rows.size();
        var ids = new String[count];
        var types = new String[count];
        var micros = new long[count];
        var envelopes = new String[count];
        for (int i = 0; i < count; i++) {
            LogRow row = rows.get(i);
            ids[i] = row.signalId();
            types[i] = row.type();
            micros[i] = JdbcMapping.micros(row.recordedAt());
            envelopes[i] = row.envelope();
        }
        String notification = notification(bus);
        String append = notification != null ? appendLogAndNotify : appendLog;
        try (PreparedStatement ps = connection.prepareStatement(append)) {
            ps.setLong(1, count);
            ps.setObject(2, JdbcMapping.timestamp(rows.get(count - 1).recordedAt()));
            ps.setString(3, bus);
            ps.setLong(4, count);
            ps.setObject(5, ids);
            ps.setObject(6, types);
            ps.setObject(7, micros);
            ps.setObject(8, envelopes);
            if (notification != null) {
                ps.setString(9, BusNotifications.CHANNEL);
                ps.setString(10, notification);
            }
            return LogHead.move(connection, ps, bus, count, statements.insertHeadIfAbsent());
        }
    }

    @Override
    public boolean movesStaged() {
        return true;
    }

    /**
     * Runs {@link PostgresStatements#moveStaged}; when it moves nothing (the bus may have no head row
     * yet, and then it moves nothing), creates the head row and runs it once more.
     */
    @Override
    public List<StagedMove> moveStaged(Connection connection, String bus, List<Long> keys, boolean checkIds)
            throws SQLException {
        List<StagedMove> moved = moveStagedOnce(connection, bus, keys, checkIds);
        if (moved.isEmpty()) {
            LogHead.createHead(connection, bus, statements.insertHeadIfAbsent());
            moved = moveStagedOnce(connection, bus, keys, checkIds);
        }
        return moved;
    }

    private List<StagedMove> moveStagedOnce(Connection connection, String bus, List<Long> keys, boolean checkIds)
            throws SQLException {
        Long[] keyArray = keys.toArray(Long[]::new);
        String notification = notification(bus);
        String step = notification != null ? (checkIds ? moveStagedCheckingIdsAndNotify : moveStagedAndNotify)
                : (checkIds ? moveStagedCheckingIds : moveStaged);
        try (PreparedStatement ps = connection.prepareStatement(step)) {
            planEveryCall(ps);
            int p = 0;
            ps.setString(++p, bus);
            ps.setObject(++p, keyArray);
            ps.setString(++p, bus);
            ps.setObject(++p, keyArray);
            if (checkIds) {
                ps.setString(++p, bus);
            }
            ps.setString(++p, bus);
            if (notification != null) {
                ps.setString(++p, BusNotifications.CHANNEL);
                ps.setString(++p, notification);
            }
            var moved = new ArrayList<StagedMove>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long micros = rs.getLong(4);
                    moved.add(new StagedMove(rs.getLong(1), rs.getString(2), rs.getLong(3),
                            rs.wasNull() ? null : JdbcMapping.instantOfMicros(micros)));
                }
            }
            return moved;
        }
    }

    /**
     * Has the driver send the step as an unnamed statement, which PostgreSQL plans for the values of
     * each call. A named prepared statement gets a generic plan after five calls, and the staging
     * table swings between empty and a backlog (holding deleted rows until vacuumed): a plan made
     * while it was empty walks it, or the bus's id index, once it is not. Each call is parsed again
     * (the statement is planned each call anyway). Without the PostgreSQL JDBC driver behind the
     * DataSource the driver's own choice stands, with a warning.
     */
    private void planEveryCall(PreparedStatement ps) throws SQLException {
        if (ps.isWrapperFor(PGStatement.class)) {
            ps.unwrap(PGStatement.class).setPrepareThreshold(0);
        } else if (!warnedOfDriver) {
            warnedOfDriver = true;
            log.warn("signal-bus: the DataSource's driver is not the PostgreSQL JDBC driver; the sequencing step may run"
                    + " with a plan cached for an empty staging table, and slow down when it is not");
        }
    }
}
