package io.signalbus.jdbc;

import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * On PostgreSQL, whether the log's unique key on signal ids is led by the id, as V8 makes it. The
 * store's id lookups are written for that index ({@link PostgresStatements}); on a log whose key is
 * still led by the bus (tables created or migrated some other way, without V8) each of them would
 * read the whole log. The store starts anyway and says so at WARN, naming the script to run.
 */
final class LogKeyCheck {

    private static final Logger log = LoggerFactory.getLogger(LogKeyCheck.class);

    /** The first column of the log's unique key on signal ids, in the tables the store's statements find. */
    private static final String FIRST_KEY_COLUMN = """
            SELECT a.attname FROM pg_constraint c JOIN pg_index i ON i.indexrelid = c.conindid
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
            WHERE c.conname = 'signal_bus_log_signal_id_uk' AND c.conrelid = to_regclass('signal_bus_log')""";

    private LogKeyCheck() {
    }

    /** The warning to give when the key predates V8; null when it does not, or cannot be told. */
    static @Nullable String warning(JdbcTemplate jdbc) {
        List<String> first;
        try {
            first = jdbc.queryForList(FIRST_KEY_COLUMN, String.class);
        } catch (DataAccessException e) {
            log.debug("signal-bus: could not read the log's unique key from the catalog", e);
            return null;
        }
        if (first.isEmpty() || "signal_id".equals(first.get(0))) {
            return null;
        }
        return "signal-bus: the unique key signal_bus_log_signal_id_uk is led by '" + first.get(0)
                + "', not 'signal_id': these tables lack migration V8"
                + " (db/signal-bus/postgresql/V8__signal_bus_log_id_first.sql in signal-bus-jdbc's jar), and every"
                + " lookup of a signal id (each publish inside a transaction) reads the whole log until it is applied";
    }
}
