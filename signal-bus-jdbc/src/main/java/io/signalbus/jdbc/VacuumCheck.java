package io.signalbus.jdbc;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * On PostgreSQL, whether autovacuum will vacuum {@code signal_bus_pending}. Every signal published
 * inside a transaction is inserted there and deleted once it has its position, so without vacuum
 * the table and its indexes keep every such row, and the backstop's walk of the table (each poll
 * interval) and the {@code signalbus.unsequenced.age} reading pass over all of them each time. Nothing
 * is lost, but the work grows with every signal; and where the server's autovacuum is off,
 * nothing analyzes the log either: with no statistics, the planner takes a signal id to match
 * thousands of rows of a large log, and the staging insert's estimated cost passes
 * {@code jit_above_cost}, so that every publish in a transaction was JIT-compiled (5 ms each, 4 times
 * slower, from about 1.3 million signals on). The store starts anyway and says so at WARN, with what
 * to do.
 */
final class VacuumCheck {

    private static final Logger log = LoggerFactory.getLogger(VacuumCheck.class);

    /**
     * The server's {@code autovacuum} and {@code track_counts} (autovacuum needs both) and the staging
     * table's own {@code autovacuum_enabled} (null unless set), for the table the store's statements find.
     */
    private static final String SETTINGS = """
            SELECT current_setting('autovacuum')::boolean, current_setting('track_counts')::boolean,
            (SELECT o.option_value::boolean FROM pg_options_to_table(c.reloptions) o
            WHERE o.option_name = 'autovacuum_enabled')
            FROM pg_class c WHERE c.oid = to_regclass('signal_bus_pending')""";

    private VacuumCheck() {
    }

    /** The warning to give when autovacuum will not vacuum the staging table; null when it will, or cannot be told. */
    static @Nullable String warning(JdbcTemplate jdbc) {
        List<Settings> settings;
        try {
            settings = jdbc.query(SETTINGS, (rs, row) -> new Settings(rs.getBoolean(1), rs.getBoolean(2),
                    rs.getBoolean(3) || rs.wasNull())); // the table's option unset: the server's settings apply
        } catch (DataAccessException e) {
            log.debug("signal-bus: could not read the autovacuum settings", e);
            return null;
        }
        if (settings.isEmpty()) {
            return null; // no staging table to check
        }
        Settings on = settings.get(0);
        return warning(on.autovacuum(), on.trackCounts(), on.tableAutovacuumEnabled());
    }

    private record Settings(boolean autovacuum, boolean trackCounts, boolean tableAutovacuumEnabled) {
    }

    /**
     * The warning for these settings, naming each that keeps autovacuum from the staging table; null
     * when all three are on.
     */
    static @Nullable String warning(boolean autovacuum, boolean trackCounts, boolean tableAutovacuumEnabled) {
        var reasons = new ArrayList<String>();
        if (!autovacuum) {
            reasons.add("the server's autovacuum is off");
        }
        if (!trackCounts) {
            reasons.add("the server's track_counts is off, and autovacuum needs it");
        }
        if (!tableAutovacuumEnabled) {
            reasons.add("signal_bus_pending has autovacuum_enabled = false");
        }
        if (reasons.isEmpty()) {
            return null;
        }
        return "signal-bus: autovacuum will not vacuum signal_bus_pending (" + String.join("; ", reasons)
                + "). Each signal published inside a transaction leaves a deleted row there, which the backstop's"
                + " walk and the signalbus.unsequenced.age reading pass over each time until vacuum removes it:"
                + " nothing is lost, but the work grows with every signal. Without autovacuum the log's"
                + " statistics are not refreshed either (no ANALYZE), and once it holds about a million signals"
                + " PostgreSQL misjudges every publish's id check and JIT-compiles it each time (a few milliseconds a"
                + " publish). Turn autovacuum on, or run VACUUM signal_bus_pending and ANALYZE signal_bus_log (and"
                + " VACUUM signal_bus_log after retention deletes) on a schedule";
    }
}
