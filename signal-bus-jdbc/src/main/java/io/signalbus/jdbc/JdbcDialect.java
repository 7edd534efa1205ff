package io.signalbus.jdbc;

import io.signalbus.SignalStoreException;
import java.sql.DatabaseMetaData;
import java.util.Collections;
import java.util.Locale;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.jdbc.support.MetaDataAccessException;

/**
 * Everything that differs between the supported databases: the migration folder, the statements
 * that need an upsert or a returning update, and what to set up when a store starts. Statements take
 * the same parameters in the same order on every database.
 */
enum JdbcDialect {

    H2("h2",
            "SELECT position, previous_recorded_at FROM FINAL TABLE (UPDATE signal_bus_head SET position = position + ?,"
                    + " previous_recorded_at = recorded_at,"
                    + " recorded_at = CASE WHEN recorded_at > ? THEN recorded_at ELSE ? END WHERE bus = ?)",
            "MERGE INTO signal_bus_head h USING (VALUES (CAST(? AS VARCHAR(100)))) s (bus) ON h.bus = s.bus"
                    + " WHEN NOT MATCHED THEN INSERT (bus, position) VALUES (s.bus, 0)",
            "MERGE INTO signal_bus_subscription s USING (VALUES (CAST(? AS VARCHAR(100)), CAST(? AS VARCHAR(200))))"
                    + " n (bus, subscription_id) ON s.bus = n.bus AND s.subscription_id = n.subscription_id"
                    + " WHEN NOT MATCHED THEN INSERT (bus, subscription_id, pattern, checkpoint_position,"
                    + " checkpoint_time, max_in_flight, max_attempts, ack_timeout_ms, priority, created_at)"
                    + " VALUES (n.bus, n.subscription_id, ?, ?, ?, ?, ?, ?, ?, ?)",
            "MERGE INTO signal_bus_attempt (bus, subscription_id, position, attempts) KEY (bus, subscription_id, position)"
                    + " SELECT bus, subscription_id, ?, ? FROM signal_bus_subscription"
                    + " WHERE bus = ? AND subscription_id = ?",
            "MERGE INTO signal_bus_dead_letter (bus, subscription_id, position, signal_id, envelope, attempts,"
                    + " error_type, error_message, dead_lettered_at) KEY (bus, subscription_id, position)"
                    + " SELECT bus, subscription_id, ?, ?, ?, ?, ?, ?, ? FROM signal_bus_subscription"
                    + " WHERE bus = ? AND subscription_id = ?") {

        /**
         * H2 keeps commits in memory for up to {@code WRITE_DELAY} ms before it writes them to the
         * file, so a killed process loses signals that {@code publish} had returned. With 0, MVStore
         * writes every commit to the file before the commit returns (it does not fsync: a killed
         * process loses nothing, a power cut may). The setting is database-wide, needs an admin user,
         * and is reset (to 500 ms, or the URL's value) whenever the database is opened again.
         */
        @Override
        void prepare(JdbcTemplate jdbc) {
            // two rows once it has been set: the value in effect and the one stored with the database
            Integer writeDelay = jdbc.queryForObject("SELECT MAX(CAST(setting_value AS INT))"
                    + " FROM information_schema.settings WHERE setting_name = 'WRITE_DELAY'", Integer.class);
            if (writeDelay == null || writeDelay == 0) {
                return; // in-memory databases have no write delay
            }
            try {
                jdbc.execute("SET WRITE_DELAY 0");
                log.debug("H2 WRITE_DELAY was {} ms; set to 0 so that every commit reaches the file", writeDelay);
            } catch (DataAccessException e) {
                log.warn("could not set H2 WRITE_DELAY to 0 (it is {} ms; the user needs admin rights): a killed process"
                        + " may lose signals and checkpoints committed in its last {} ms. Add ;WRITE_DELAY=0 to the"
                        + " JDBC URL to fix this", writeDelay, writeDelay, e);
            }
        }
    },

    POSTGRESQL("postgresql",
            null,
            "INSERT INTO signal_bus_head (bus, position) VALUES (?, 0) ON CONFLICT (bus) DO NOTHING",
            "INSERT INTO signal_bus_subscription (bus, subscription_id, pattern, checkpoint_position, checkpoint_time,"
                    + " max_in_flight, max_attempts, ack_timeout_ms, priority, created_at)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (bus, subscription_id) DO NOTHING",
            "INSERT INTO signal_bus_attempt (bus, subscription_id, position, attempts)"
                    + " SELECT bus, subscription_id, ?, ? FROM signal_bus_subscription"
                    + " WHERE bus = ? AND subscription_id = ?"
                    + " ON CONFLICT (bus, subscription_id, position) DO UPDATE SET attempts = EXCLUDED.attempts",
            "INSERT INTO signal_bus_dead_letter (bus, subscription_id, position, signal_id, envelope, attempts,"
                    + " error_type, error_message, dead_lettered_at)"
                    + " SELECT bus, subscription_id, ?, ?, ?, ?, ?, ?, ? FROM signal_bus_subscription"
                    + " WHERE bus = ? AND subscription_id = ?"
                    + " ON CONFLICT (bus, subscription_id, position) DO UPDATE SET signal_id = EXCLUDED.signal_id,"
                    + " envelope = EXCLUDED.envelope, attempts = EXCLUDED.attempts, error_type = EXCLUDED.error_type,"
                    + " error_message = EXCLUDED.error_message, dead_lettered_at = EXCLUDED.dead_lettered_at") {

        /**
         * Moves the head and inserts every row in one statement, the rows passed as arrays, so a
         * group of any size is one round trip, and outside a transaction it commits by itself: the head
         * row stays locked for a statement and a WAL flush, not for three round trips.
         */
        @Override
        @Nullable String appendLog() {
            return "WITH head AS (UPDATE signal_bus_head SET position = position + ?, previous_recorded_at = recorded_at,"
                    + " recorded_at = GREATEST(recorded_at, ?) WHERE bus = ? RETURNING bus, position, previous_recorded_at),"
                    + " appended AS (INSERT INTO signal_bus_log (bus, position, signal_id, type, recorded_at, envelope)"
                    + " SELECT head.bus, head.position - ? + v.place, v.signal_id, v.type, GREATEST(head.previous_recorded_at,"
                    + " TIMESTAMPTZ 'epoch' + v.micros * INTERVAL '1 microsecond'), v.envelope"
                    + " FROM head, unnest(CAST(? AS VARCHAR[]), CAST(? AS VARCHAR[]), CAST(? AS BIGINT[]),"
                    + " CAST(? AS TEXT[])) WITH ORDINALITY AS v (signal_id, type, micros, envelope, place))"
                    + " SELECT position, previous_recorded_at FROM head";
        }
    };

    private static final Logger log = LoggerFactory.getLogger(JdbcDialect.class);

    private final String folder;
    /**
     * Adds (n) to the head of (bus), sets its time to (at, at again) unless it is later, and returns
     * the new position and the time before; no row when the bus has none yet. Null where
     * {@link #appendLog()} moves the head.
     */
    final @Nullable String moveHead;
    /** Creates the head row of a bus (bus) at 0 unless it exists. */
    final String insertHeadIfAbsent;
    /** Stores a subscription unless its (bus, id) exists. */
    final String insertSubscriptionIfAbsent;
    /** Sets (position, attempts) of (bus, subscription id), if that subscription exists. */
    final String upsertAttempts;
    /** Stores or replaces a dead letter (position, signal id, envelope, attempts, error type, error message, time). */
    final String upsertDeadLetter;

    JdbcDialect(String folder, @Nullable String moveHead, String insertHeadIfAbsent,
            String insertSubscriptionIfAbsent, String upsertAttempts, String upsertDeadLetter) {
        this.folder = folder;
        this.moveHead = moveHead;
        this.insertHeadIfAbsent = insertHeadIfAbsent;
        this.insertSubscriptionIfAbsent = insertSubscriptionIfAbsent;
        this.upsertAttempts = upsertAttempts;
        this.upsertDeadLetter = upsertDeadLetter;
    }

    /** The classpath folder of this database's Flyway migrations. */
    String migrationLocation() {
        return "classpath:db/signal-bus/" + folder;
    }

    /**
     * A query that, given (count, at, bus, count), adds count to the head of bus, sets its time to at
     * unless it is later, and inserts count log rows at the positions just below the new head, given
     * as four arrays in position order: signal ids, types, recorded-at times in microseconds since the
     * epoch (none is recorded earlier than the head's time before), envelopes. It returns the new head
     * and the head's time before; no row when the bus has no head row yet, and then nothing is
     * inserted. Null when the database cannot do this in one statement.
     */
    @Nullable String appendLog() {
        return null;
    }

    /** Makes the database safe for the store; runs once when a store starts. */
    void prepare(JdbcTemplate jdbc) {
    }

    /** The dialect of the database behind {@code dataSource}. */
    static JdbcDialect of(DataSource dataSource) {
        String product;
        try {
            product = JdbcUtils.extractDatabaseMetaData(dataSource, DatabaseMetaData::getDatabaseProductName);
        } catch (MetaDataAccessException e) {
            throw new SignalStoreException("could not read the database product name to choose the SQL dialect of"
                    + " the signal-bus JDBC store", e);
        }
        return ofProductName(product);
    }

    static JdbcDialect ofProductName(@Nullable String productName) {
        return switch (productName == null ? "" : productName.toLowerCase(Locale.ROOT)) {
            case "h2" -> H2;
            case "postgresql" -> POSTGRESQL;
            default -> throw new IllegalArgumentException("the signal-bus JDBC store supports H2 and PostgreSQL, not '"
                    + productName + "'; use another SignalStore for this database");
        };
    }
}
