package io.signalbus.jdbc;

import io.signalbus.RecordedSignal;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Reads the next page of a bus's log, bounded where it is stored: the rows after a position, in
 * order, at most a number of them and only as many as fit in a number of bytes of envelopes (always
 * the first), so that a page of large signals is never loaded whole, not even by an embedded
 * database. In one statement where the database can ({@link StoreStatements#readLogWithin()}: one
 * round trip for every read of a subscription woken by another process's append), else the
 * envelopes' sizes first, then the rows that fit.
 */
final class LogPages {

    private final JdbcTemplate jdbc;
    private final StoreStatements sql;
    private final JdbcMapping mapping;

    LogPages(JdbcTemplate jdbc, StoreStatements sql, JdbcMapping mapping) {
        this.jdbc = jdbc;
        this.sql = sql;
        this.mapping = mapping;
    }

    List<RecordedSignal> read(String bus, long afterPosition, int limit, long maxBytes) {
        String within = sql.readLogWithin();
        if (within != null) {
            return jdbc.query(within, (rs, row) -> mapping.recordedSignal(rs), bus, afterPosition, limit, maxBytes);
        }
        long[] through = {afterPosition};
        long[] bytes = {0};
        jdbc.query(sql.readSizes(), rs -> {
            bytes[0] += rs.getLong(2);
            if (through[0] == afterPosition || bytes[0] <= maxBytes) {
                through[0] = rs.getLong(1);
            }
        }, bus, afterPosition, limit);
        return through[0] == afterPosition ? List.of() : jdbc.query(sql.readRange(),
                (rs, row) -> mapping.recordedSignal(rs), bus, afterPosition, through[0]);
    }
}
