package io.signalbus.jdbc;

import java.time.Instant;

/**
 * The SQL that PostgreSQL writes its own way: {@code ON CONFLICT} upserts, and the append of any
 * number of rows in one statement, passed as arrays.
 */
final class PostgresStatements extends StoreStatements {

    /** A time parameter given in microseconds since the epoch ({@link #stagingTime}). */
    private static final String MICROS = "TIMESTAMPTZ 'epoch' + CAST(? AS BIGINT) * INTERVAL '1 microsecond'";

    private static final String INSERT_PENDING = """
            INSERT INTO signal_bus_pending (bus, tx_key, signal_id, type, recorded_at, created_at, envelope)
            SELECT ?, ?, ?, ?, %s, %s, ? WHERE NOT EXISTS (SELECT 1 FROM %s l WHERE l.bus = ?)
            ON CONFLICT (bus, signal_id) DO NOTHING""".formatted(MICROS, MICROS, logRowsOfId("?"));

    private static final String INSERT_PENDING_ARRAY = """
            INSERT INTO signal_bus_pending (bus, tx_key, signal_id, type, recorded_at, created_at, envelope)
            SELECT ?, ?, v.signal_id, v.type, %s, %s, v.envelope
            FROM unnest(CAST(? AS VARCHAR[]), CAST(? AS VARCHAR[]), CAST(? AS TEXT[])) WITH ORDINALITY
            AS v (signal_id, type, envelope, place)
            WHERE (SELECT 1 FROM %s l WHERE l.bus = ?) IS NULL
            ORDER BY v.place
            ON CONFLICT (bus, signal_id) DO NOTHING
            RETURNING signal_id""".formatted(MICROS, MICROS, logRowsOfId("v.signal_id"));

    /**
     * The log's rows of a signal id in any bus, as a derived table {@code (bus, signal_id, position)}
     * for a lookup by id in one bus: the caller compares the bus outside it ({@code l.bus = ?}). So
     * the unique index led by the id (V8) is the only one the lookup can use (PostgreSQL pushes no
     * condition into a subquery with {@code OFFSET}). Given the bus inside, PostgreSQL may take the
     * primary key (bus, position) instead and read every row of the bus for each id: it does when its
     * statistics make the bus look rare (a bus added since the last {@code ANALYZE}, or statistics of
     * the log before a truncate), and then a transactional publish of 100 signals took 0.9-1.4 s on
     * a log of some 100,000 rows of that bus.
     */
    private static String logRowsOfId(String id) {
        return "(SELECT bus, signal_id, position FROM signal_bus_log WHERE signal_id = " + id + " OFFSET 0)";
    }

    /**
     * Adds count to the head of a bus, sets its time to at unless it is later, and inserts count log
     * rows at the positions just below the new head, given as four arrays in position order: signal
     * ids, types, recorded-at times in microseconds since the epoch (none is recorded earlier than
     * the head's time before), envelopes: (count, at, bus, count, ids, types, micros, envelopes). It
     * returns the new head and the head's time before; no row when the bus has no head row yet, and
     * then nothing is inserted.
     */
    String appendLog() {
        return appendLog("");
    }

    /**
     * {@link #appendLog()} that also notifies, in the same statement (so sent when it commits, and
     * only if a head row was moved), with the channel and the payload as ninth and tenth parameters.
     */
    String appendLogAndNotify() {
        return appendLog(", pg_notify(?, ?)");
    }

    private static String appendLog(String notify) {
        return """
                WITH head AS (UPDATE signal_bus_head SET position = position + ?, previous_recorded_at = recorded_at,
                recorded_at = GREATEST(recorded_at, ?) WHERE bus = ? RETURNING bus, position, previous_recorded_at),
                appended AS (INSERT INTO signal_bus_log (bus, position, signal_id, type, recorded_at, envelope)
                SELECT head.bus, head.position - ? + v.place, v.signal_id, v.type, GREATEST(head.previous_recorded_at,
                TIMESTAMPTZ 'epoch' + v.micros * INTERVAL '1 microsecond'), v.envelope
                FROM head, unnest(CAST(? AS VARCHAR[]), CAST(? AS VARCHAR[]), CAST(? AS BIGINT[]),
                CAST(? AS TEXT[])) WITH ORDINALITY AS v (signal_id, type, micros, envelope, place))
                SELECT position, previous_recorded_at%s FROM head""".formatted(notify);
    }

    @Override
    boolean notifies() {
        return true;
    }

    /** A list of ids makes PostgreSQL's generic plan scan the whole bus (see {@link IdLookup}). */
    @Override
    boolean idArrays() {
        return true;
    }

    @Override
    String positionOfId() {
        return "SELECT l.position FROM " + logRowsOfId("?") + " l WHERE l.bus = ?";
    }

    @Override
    String positionsOfIds(int count) {
        return "SELECT l.signal_id, l.position FROM " + logRowsOfId("ANY (CAST(? AS VARCHAR[]))")
                + " l WHERE l.bus = ?";
    }

    @Override
    String pendingIds(int count) {
        return """
                SELECT signal_id FROM signal_bus_pending WHERE signal_id = ANY (CAST(? AS VARCHAR[])) AND bus = ?""";
    }

    /**
     * A whole sequencing step in one statement, so that the envelopes never leave the database: deletes
     * the staged rows of the transactions of a bus whose keys are given (only if the bus has a head
     * row: else it moves nothing), and appends them to the log at the next positions, transaction by
     * transaction in the order of the keys, each in staging order, with times that never decrease
     * along the log (as {@link #appendLog()} does). With {@code checkIds}, a row whose id is in the log
     * already is deleted and not appended; without, such a row makes the statement fail on the log's
     * unique key. Parameters: (bus, keys, bus, keys[, bus if checkIds], bus[, channel, payload]). It returns every
     * row it deleted: transaction key, signal id, position and time in the log (null when not appended),
     * in position order; the time in microseconds since the epoch, since the driver parses a timestamp
     * sent as text (as an unplanned statement's results are) slowly: 15 % of the sequencing thread's
     * CPU at 8 publishing threads. The notification is sent once, when it appended something.
     */
    String moveStaged(boolean checkIds, boolean notify) {
        return """
                WITH moved AS (DELETE FROM signal_bus_pending WHERE bus = ? AND tx_key = ANY (CAST(? AS BIGINT[]))
                AND EXISTS (SELECT 1 FROM signal_bus_head WHERE bus = ?)
                RETURNING seq, tx_key, signal_id, type, recorded_at, envelope),
                kept AS (SELECT m.signal_id, m.type, m.envelope, row_number() OVER w AS place,
                max(m.recorded_at) OVER w AS at
                FROM moved m JOIN unnest(CAST(? AS BIGINT[])) WITH ORDINALITY AS k (tx_key, turn) ON k.tx_key = m.tx_key
                %s
                WINDOW w AS (ORDER BY k.turn, m.seq ROWS UNBOUNDED PRECEDING)),
                total AS (SELECT COUNT(*) AS n, MAX(at) AS at FROM kept),
                head AS (UPDATE signal_bus_head h SET position = h.position + total.n,
                previous_recorded_at = h.recorded_at, recorded_at = GREATEST(h.recorded_at, total.at)
                FROM total WHERE h.bus = ? AND total.n > 0 RETURNING h.bus, h.position, h.previous_recorded_at, total.n),
                appended AS (INSERT INTO signal_bus_log (bus, position, signal_id, type, recorded_at, envelope)
                SELECT head.bus, head.position - head.n + kept.place, kept.signal_id, kept.type,
                GREATEST(head.previous_recorded_at, kept.at), kept.envelope FROM head, kept
                RETURNING signal_id, position, recorded_at)%s
                SELECT m.tx_key, m.signal_id, a.position,
                CAST(EXTRACT(EPOCH FROM a.recorded_at) * 1000000 AS BIGINT)
                FROM moved m LEFT JOIN appended a ON a.signal_id = m.signal_id%s
                ORDER BY a.position""".formatted(
                checkIds ? "WHERE NOT EXISTS (SELECT 1 FROM " + logRowsOfId("m.signal_id") + " l WHERE l.bus = ?)" : "",
                notify ? ",\nnotified AS (SELECT pg_notify(?, ?) FROM head)" : "",
                notify ? " CROSS JOIN (SELECT COUNT(*) FROM notified) n" : "");
    }

    /**
     * A running sum over the page keeps the rows that fit; the envelopes of the rows cut off are never
     * sent, nor read out of TOAST storage ({@code OCTET_LENGTH} reads a stored value's header).
     */
    @Override
    String readLogWithin() {
        return """
                SELECT position, recorded_at, envelope FROM (SELECT position, recorded_at, envelope,
                ROW_NUMBER() OVER w AS place, SUM(OCTET_LENGTH(envelope)) OVER w AS bytes
                FROM (SELECT position, recorded_at, envelope FROM signal_bus_log WHERE bus = ? AND position > ?
                ORDER BY bus, position LIMIT ?) next WINDOW w AS (ORDER BY position ROWS UNBOUNDED PRECEDING)) page
                WHERE place = 1 OR bytes <= ? ORDER BY position""";
    }

    @Override
    String insertHeadIfAbsent() {
        return """
                INSERT INTO signal_bus_head (bus, position) VALUES (?, 0) ON CONFLICT (bus) DO NOTHING""";
    }

    /** Skips an id already staged too ({@code ON CONFLICT}), so that a duplicate never aborts the caller's transaction. */
    @Override
    String insertPending() {
        return INSERT_PENDING;
    }

    /**
     * Microseconds since the epoch: a number costs the driver and the server less than a timestamp
     * written and parsed as text, which was about a twentieth of the publishing threads' time.
     */
    @Override
    Object stagingTime(Instant instant) {
        return JdbcMapping.micros(instant);
    }

    /**
     * The rows in array order, so that their seq (staging order) follows publish order. Each id is
     * looked up in the log by a subquery (the unique-index probe of {@link #insertPending()}), not a
     * NOT EXISTS: the planner turns that into a join whose shape follows its row estimates, and in
     * the benchmark, the log's statistics stale after a truncate, it read the whole bus for every
     * publish (22 ms for 100 signals, against 2.6 ms this way).
     */
    @Override
    String insertPendingArray() {
        return INSERT_PENDING_ARRAY;
    }

    @Override
    String insertSubscriptionIfAbsent() {
        return """
                INSERT INTO signal_bus_subscription (bus, subscription_id, partitions, pattern, checkpoint_position,
                checkpoint_time, max_in_flight, max_attempts, ack_timeout_ms, priority, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (bus, subscription_id) DO NOTHING""";
    }

    @Override
    String nowPlusMillis() {
        return "CURRENT_TIMESTAMP + CAST(? AS BIGINT) * INTERVAL '1 millisecond'";
    }

    @Override
    String upsertAttempts() {
        return """
                INSERT INTO signal_bus_attempt (bus, subscription_id, position, attempts)
                SELECT bus, subscription_id, ?, ? FROM signal_bus_subscription
                WHERE bus = ? AND subscription_id = ? AND epoch = ?
                ON CONFLICT (bus, subscription_id, position) DO UPDATE SET attempts = EXCLUDED.attempts""";
    }

    @Override
    String upsertDeadLetter() {
        return """
                INSERT INTO signal_bus_dead_letter (bus, subscription_id, position, signal_id, envelope, attempts,
                error_type, error_message, dead_lettered_at)
                SELECT bus, subscription_id, ?, ?, ?, ?, ?, ?, ? FROM signal_bus_subscription
                WHERE bus = ? AND subscription_id = ? AND epoch = ?
                ON CONFLICT (bus, subscription_id, position) DO UPDATE SET signal_id = EXCLUDED.signal_id,
                envelope = EXCLUDED.envelope, attempts = EXCLUDED.attempts, error_type = EXCLUDED.error_type,
                error_message = EXCLUDED.error_message, dead_lettered_at = EXCLUDED.dead_lettered_at""";
    }
}
