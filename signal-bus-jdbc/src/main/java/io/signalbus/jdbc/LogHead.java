package io.signalbus.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * Where the head of a bus was before an append: the last position and the time of the last append
 * (null before the first).
 */
record LogHead(long position, @Nullable Instant recordedAt) {

    /** SQLSTATE of a unique constraint violation, on H2 and PostgreSQL alike. */
    private static final String UNIQUE_VIOLATION = "23505";

    /**
     * Runs a prepared statement that moves the head of {@code bus} by {@code count} and returns the
     * new position and the time before; when the bus has no head row yet (the statement finds none),
     * creates it with {@code insertHeadIfAbsent} and runs the statement again. Returns where the head was.
     */
    static LogHead move(Connection connection, PreparedStatement moveHead, String bus, int count,
            String insertHeadIfAbsent) throws SQLException {
        LogHead before = before(moveHead, count);
        if (before == null) {
            createHead(connection, bus, insertHeadIfAbsent);
            before = before(moveHead, count);
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
    private static @Nullable LogHead before(PreparedStatement ps, int movedBy) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return null;
            }
            return new LogHead(rs.getLong(1) - movedBy, JdbcMapping.nullableInstant(rs, 2));
        }
    }

    /** Creates the head row of {@code bus} unless it exists. */
    static void createHead(Connection connection, String bus, String insertHeadIfAbsent) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(insertHeadIfAbsent)) {
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
}
