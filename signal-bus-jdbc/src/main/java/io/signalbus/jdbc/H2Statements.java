package io.signalbus.jdbc;

/**
 * The SQL that H2 writes its own way: {@code MERGE} where PostgreSQL has {@code ON CONFLICT}, a
 * head move that returns its row ({@code FINAL TABLE}), and the {@code WRITE_DELAY} setting.
 */
final class H2Statements extends StoreStatements {

    /**
     * Adds n to the head of a bus, sets its time to at unless it is later, and returns the new
     * position and the time before: (n, at, at, bus); no row when the bus has none yet.
     */
    String moveHead() {
        return """
                SELECT position, previous_recorded_at FROM FINAL TABLE (UPDATE signal_bus_head
                SET position = position + ?, previous_recorded_at = recorded_at,
                recorded_at = CASE WHEN recorded_at > ? THEN recorded_at ELSE ? END WHERE bus = ?)""";
    }

    @Override
    String insertHeadIfAbsent() {
        return """
                MERGE INTO signal_bus_head h USING (VALUES (CAST(? AS VARCHAR(100)))) s (bus) ON h.bus = s.bus
                WHEN NOT MATCHED THEN INSERT (bus, position) VALUES (s.bus, 0)""";
    }

    /** A failed statement leaves an H2 transaction usable, so an id already staged may fail it. */
    @Override
    String insertPending() {
        return """
                INSERT INTO signal_bus_pending (bus, tx_key, signal_id, type, recorded_at, created_at, envelope)
                SELECT CAST(? AS VARCHAR(100)), CAST(? AS BIGINT), CAST(? AS VARCHAR(256)), CAST(? AS VARCHAR(255)),
                CAST(? AS TIMESTAMP WITH TIME ZONE), CAST(? AS TIMESTAMP WITH TIME ZONE), CAST(? AS CHARACTER VARYING)
                WHERE NOT EXISTS (SELECT 1 FROM signal_bus_log WHERE signal_id = ? AND bus = ?)""";
    }

    @Override
    String insertSubscriptionIfAbsent() {
        return """
                MERGE INTO signal_bus_subscription s USING (VALUES (CAST(? AS VARCHAR(100)), CAST(? AS VARCHAR(200))))
                n (bus, subscription_id) ON s.bus = n.bus AND s.subscription_id = n.subscription_id
                WHEN NOT MATCHED THEN INSERT (bus, subscription_id, partitions, pattern, checkpoint_position,
                checkpoint_time, max_in_flight, max_attempts, ack_timeout_ms, priority, created_at)
                VALUES (n.bus, n.subscription_id, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";
    }

    @Override
    String nowPlusMillis() {
        return "DATEADD(MILLISECOND, CAST(? AS BIGINT), CURRENT_TIMESTAMP)";
    }

    @Override
    String upsertAttempts() {
        return """
                MERGE INTO signal_bus_attempt (bus, subscription_id, position, attempts) KEY (bus, subscription_id, position)
                SELECT bus, subscription_id, ?, ? FROM signal_bus_subscription WHERE bus = ? AND subscription_id = ?
                AND epoch = ?""";
    }

    @Override
    String upsertDeadLetter() {
        return """
                MERGE INTO signal_bus_dead_letter (bus, subscription_id, position, signal_id, envelope, attempts,
                error_type, error_message, dead_lettered_at) KEY (bus, subscription_id, position)
                SELECT bus, subscription_id, ?, ?, ?, ?, ?, ?, ? FROM signal_bus_subscription
                WHERE bus = ? AND subscription_id = ? AND epoch = ?""";
    }

    /** The write delay in milliseconds, no parameters: two rows once it has been set (in effect and stored). */
    String writeDelay() {
        return """
                SELECT MAX(CAST(setting_value AS INT)) FROM information_schema.settings
                WHERE setting_name = 'WRITE_DELAY'""";
    }

    /** Makes every commit reach the file before it returns; needs an admin user. */
    String writeEveryCommit() {
        return """
                SET WRITE_DELAY 0""";
    }

    /**
     * Row values, (id, id, …, bus): with {@code bus = ? AND
     * signal_id IN (…)} H2 uses only the bus part of the (bus, signal_id) key and checks the list
     * against every row of the bus, so a lookup grew with the log (25 ms for 100 ids at 50,000 rows);
     * row values use the whole key (under 1 ms).
     */
    @Override
    String positionsOfIds(int count) {
        return "SELECT signal_id, position FROM signal_bus_log WHERE (bus, signal_id) IN (" + rowValues(count) + ")";
    }

    /** As {@link #positionsOfIds}, for staged signals. */
    @Override
    String pendingIds(int count) {
        return "SELECT signal_id FROM signal_bus_pending WHERE (bus, signal_id) IN (" + rowValues(count) + ")";
    }

    /** (?n+1, ?1), (?n+1, ?2), …: the bus, numbered after the {@code count} ids, paired with each id. */
    private static String rowValues(int count) {
        var values = new StringBuilder();
        for (int i = 1; i <= count; i++) {
            values.append(i == 1 ? "" : ", ").append("(?").append(count + 1).append(", ?").append(i).append(')');
        }
        return values.toString();
    }
}
