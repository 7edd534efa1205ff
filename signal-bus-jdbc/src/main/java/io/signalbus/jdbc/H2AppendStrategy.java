package io.signalbus.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * H2's append: the head moves first ({@link H2Statements#moveHead()}), then the rows go in one JDBC
 * batch. H2 runs in process, where round trips cost nothing, so two statements in a transaction are
 * as good as one; it has no array statement that could commit by itself.
 */
final class H2AppendStrategy implements AppendStrategy {

    private final JdbcTemplate jdbc;
    private final H2Statements statements;

    H2AppendStrategy(JdbcTemplate jdbc, H2Statements statements) {
        this.jdbc = jdbc;
        this.statements = statements;
    }

    @Override
    public LogHead append(Connection connection, String bus, List<LogRow> rows) throws SQLException {
        LogHead before;
        try (PreparedStatement ps = connection.prepareStatement(statements.moveHead())) {
            ps.setLong(1, rows.size());
            ps.setObject(2, JdbcMapping.timestamp(rows.get(rows.size() - 1).recordedAt()));
            ps.setObject(3, JdbcMapping.timestamp(rows.get(rows.size() - 1).recordedAt()));
            ps.setString(4, bus);
            before = LogHead.move(connection, ps, bus, rows.size(), statements.insertHeadIfAbsent());
        }
        insert(bus, rows, before);
        return before;
    }

    /** Never: the head move and the rows are two statements, which need a transaction. */
    @Override
    public boolean appendsInOneStatement(int rows, long envelopeChars) {
        return false;
    }

    /** Inserts the rows below the head in one batch, on the connection of the current transaction. */
    private void insert(String bus, List<LogRow> rows, LogHead before) {
        jdbc.batchUpdate(statements.insertLogRow(), new BatchPreparedStatementSetter() {
            @Override
            public void setValues(PreparedStatement ps, int i) throws SQLException {
                LogRow row = rows.get(i);
                ps.setString(1, bus);
                ps.setLong(2, before.position() + 1 + i);
                ps.setString(3, row.signalId());
                ps.setString(4, row.type());
                ps.setObject(5, JdbcMapping.timestamp(LogWriter.latest(before.recordedAt(), row.recordedAt())));
                ps.setString(6, row.envelope());
            }

            @Override
            public int getBatchSize() {
                return rows.size();
            }
        });
    }
}
