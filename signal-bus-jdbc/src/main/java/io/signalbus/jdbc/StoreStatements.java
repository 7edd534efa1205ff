package io.signalbus.jdbc;

import java.time.Instant;
import java.util.Collections;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The SQL of the store, every statement parameterised. The statements written here are portable
 * (H2 and PostgreSQL run them as they are); each database's subclass adds the ones that need an
 * upsert or a conditional insert, and those its {@link AppendStrategy} runs to move the head. A
 * statement takes the same parameters in the same order on every database, as its comment lists them.
 */
abstract class StoreStatements {

    // ------------------------------------------------------------------ what each database writes its own way

    /** Creates the head row of a bus at 0 unless it exists: (bus). */
    abstract String insertHeadIfAbsent();

    /**
     * Stores a subscription unless its (bus, id) exists: (bus, subscription id, partitions, pattern, checkpoint
     * position, checkpoint time, max in flight, max attempts, ack timeout ms, priority, created at).
     */
    abstract String insertSubscriptionIfAbsent();

    /**
     * Sets the failed attempts at a position, if the subscription exists with the epoch: (position,
     * attempts, bus, subscription id, epoch).
     */
    abstract String upsertAttempts();

    /**
     * Stores or replaces a dead letter, if the subscription exists with the epoch: (position, signal id,
     * envelope, attempts, error type, error message, dead-lettered at, bus, subscription id, epoch).
     */
    abstract String upsertDeadLetter();

    /**
     * Stages one signal published inside the caller's transaction, unless its id is already in the
     * log (then no row; PostgreSQL also skips an id already staged, H2 fails on it): (bus, tx key,
     * signal id, type, recorded at, created at, envelope, signal id, bus), the two times as
     * {@link #stagingTime}.
     */
    abstract String insertPending();

    /** A time as the staging inserts take it: {@link #insertPending()}, {@link #insertPendingArray()}. */
    Object stagingTime(Instant instant) {
        return Objects.requireNonNull(JdbcMapping.timestamp(instant));
    }

    /**
     * {@link #insertPending} for several signals of one publish in one statement, in their order,
     * returning the ids it inserted: (bus, tx key, recorded at, created at, ids, types, envelopes, bus)
     * with the three lists as arrays and the times as {@link #stagingTime}; null where the database
     * takes one row per statement.
     */
    @Nullable String insertPendingArray() {
        return null;
    }

    // ------------------------------------------------------------------ the log

    /** Inserts one log row: (bus, position, signal id, type, recorded at, envelope). */
    String insertLogRow() {
        return """
                INSERT INTO signal_bus_log (bus, position, signal_id, type, recorded_at, envelope)
                VALUES (?, ?, ?, ?, ?, ?)""";
    }

    /** Position, time and envelope of the rows after a position, in order: (bus, after position, limit). */
    String readLog() {
        // ORDER BY the whole primary key: with only `position`, H2 sorts the rest of the log for every page
        return """
                SELECT position, recorded_at, envelope FROM signal_bus_log WHERE bus = ? AND position > ?
                ORDER BY bus, position LIMIT ?""";
    }

    /**
     * The positions and envelope sizes of the next page: (bus, after, limit). Read before the page itself
     * so that a page of large envelopes is cut short where it is stored (an embedded H2 would hold the
     * whole page in this JVM otherwise).
     */
    String readSizes() {
        return """
                SELECT position, OCTET_LENGTH(envelope) FROM signal_bus_log WHERE bus = ? AND position > ?
                ORDER BY bus, position LIMIT ?""";
    }

    /**
     * The next page in one statement, cut where it is stored: position, time and envelope of the rows
     * after a position, in order, as many as fit in a number of bytes of envelopes, always the first:
     * (bus, after, limit, bytes); null where {@link #readSizes()} and {@link #readRange()} do it in two.
     */
    @Nullable String readLogWithin() {
        return null;
    }

    /** Position, time and envelope of the rows in (after, through]: (bus, after, through). */
    String readRange() {
        return """
                SELECT position, recorded_at, envelope FROM signal_bus_log WHERE bus = ? AND position > ?
                AND position <= ? ORDER BY bus, position""";
    }

    /** Position, time and envelope of one row: (bus, position). */
    String readPosition() {
        return """
                SELECT position, recorded_at, envelope FROM signal_bus_log WHERE bus = ? AND position = ?""";
    }

    /** The last position handed out: (bus); no row before the first append. */
    String readHead() {
        return """
                SELECT position FROM signal_bus_head WHERE bus = ?""";
    }

    /** The highest position recorded before a time: (bus, time); no row if there is none. */
    String positionBefore() {
        // recordedAt never decreases along a bus log, so the latest time before `time` has the highest position
        return """
                SELECT position FROM signal_bus_log WHERE bus = ? AND recorded_at < ?
                ORDER BY recorded_at DESC, position DESC LIMIT 1""";
    }

    /** The position of a signal: (signal id, bus). */
    String positionOfId() {
        return """
                SELECT position FROM signal_bus_log WHERE signal_id = ? AND bus = ?""";
    }

    /**
     * Signal id and position of those of {@code count} ids that are in the log: (id, id, …, bus); where
     * the database {@linkplain #idArrays takes an array}, (ids, bus) whatever the count.
     */
    abstract String positionsOfIds(int count);

    /**
     * Deletes the oldest rows at or below a position and recorded before a time, at most a limit:
     * (bus, bus, through position, recorded before, limit).
     */
    String deleteLogBefore() {
        return """
                DELETE FROM signal_bus_log WHERE bus = ? AND position IN (SELECT position FROM signal_bus_log
                WHERE bus = ? AND position <= ? AND recorded_at < ? ORDER BY bus, position LIMIT ?)""";
    }

    // ------------------------------------------------------------------ sequencing staged signals

    /**
     * The staging place, bus, transaction key and envelope length in bytes (read from the stored
     * value's header on PostgreSQL, not its text) of the first staged rows after a staging place that
     * were staged before a time, in staging order: (after seq, staged before, limit). Only the backstop
     * reads the staging table this way (the keys of local transactions are known). It walks the primary
     * key from {@code after}: an index scan marks the entries of deleted rows dead as it passes them, so
     * the rows deleted since the last walk are visited once, where a scan of the table reads every
     * deleted row not yet vacuumed, every time (100-190 ms per walk in a benchmark, twice per poll
     * interval).
     */
    String firstPending() {
        return """
                SELECT seq, bus, tx_key, OCTET_LENGTH(envelope) FROM signal_bus_pending WHERE seq > ? AND created_at < ?
                ORDER BY seq LIMIT ?""";
    }

    /**
     * Deletes the staged rows of {@code count} committed transactions on a bus and returns them: seq,
     * tx key, signal id, type, recorded at, envelope: (bus, key, key, …). Written as H2 reads a delete's
     * rows (a data change delta table); PostgreSQL moves them in one statement instead
     * ({@link PostgresStatements#moveStaged}).
     */
    String takePending(int count) {
        return """
                SELECT seq, tx_key, signal_id, type, recorded_at, envelope FROM OLD TABLE (DELETE FROM signal_bus_pending
                WHERE bus = ? AND tx_key IN (%s))""".formatted(String.join(", ", Collections.nCopies(count, "?")));
    }

    /** Deletes the rows one publish staged, when it is rejected: (bus, tx key, signal id). */
    String deletePendingOf() {
        return """
                DELETE FROM signal_bus_pending WHERE bus = ? AND tx_key = ? AND signal_id = ?""";
    }

    /** Whether this database can notify listening sessions of other processes (LISTEN/NOTIFY). */
    boolean notifies() {
        return false;
    }

    /** Whether id lookups take the ids as one array parameter ({@link #positionsOfIds}) rather than a list. */
    boolean idArrays() {
        return false;
    }

    /** Those of {@code count} ids that are staged; parameters as {@link #positionsOfIds}. */
    abstract String pendingIds(int count);

    /**
     * When the first committed staged row of a bus (in staging order) was published; no row if none:
     * (bus). Walks the primary key, as {@link #firstPending()} does, rather than every deleted row.
     */
    String oldestPending() {
        return """
                SELECT created_at FROM signal_bus_pending WHERE bus = ? ORDER BY seq LIMIT 1""";
    }

    // ------------------------------------------------------------------ subscriptions

    /** One subscription, columns as {@link JdbcMapping#subscription} reads them: (bus, subscription id). */
    String findSubscription() {
        return selectSubscriptions() + " AND subscription_id = ?";
    }

    /** The subscriptions of a bus, columns as {@link JdbcMapping#subscription} reads them: (bus). */
    String selectSubscriptions() {
        return """
                SELECT bus, subscription_id, pattern, checkpoint_position, checkpoint_time, max_in_flight,
                max_attempts, ack_timeout_ms, priority, created_at, partitions FROM signal_bus_subscription WHERE bus = ?""";
    }

    /** Sets the settings, not the checkpoint: (max in flight, max attempts, ack timeout ms, priority, bus, subscription id). */
    String updateSettings() {
        return """
                UPDATE signal_bus_subscription SET max_in_flight = ?, max_attempts = ?, ack_timeout_ms = ?, priority = ?
                WHERE bus = ? AND subscription_id = ?""";
    }

    /** Deletes a subscription with its attempts and dead letters (ON DELETE CASCADE): (bus, subscription id). */
    String deleteSubscription() {
        return """
                DELETE FROM signal_bus_subscription WHERE bus = ? AND subscription_id = ?""";
    }

    /**
     * The database's time plus the number of milliseconds given as the next parameter: lease ends are
     * computed on the database's clock, never a process's.
     */
    abstract String nowPlusMillis();

    /**
     * Takes the claim unless another owner holds a lease not yet ended on the database's clock; keeps
     * the epoch on a renewal (the owner's lease has not ended), increments it otherwise: (owner, owner,
     * lease ms, bus, subscription id, owner).
     */
    String claim() {
        return """
                UPDATE signal_bus_subscription SET
                epoch = CASE WHEN owner = ? AND lease_until > CURRENT_TIMESTAMP THEN epoch ELSE epoch + 1 END,
                owner = ?, lease_until = %s WHERE bus = ? AND subscription_id = ?
                AND (owner IS NULL OR owner = ? OR lease_until <= CURRENT_TIMESTAMP)""".formatted(nowPlusMillis());
    }

    /** The epoch and lease end of a claim, in the transaction that took it: (bus, subscription id, owner). */
    String selectLease() {
        return """
                SELECT epoch, lease_until FROM signal_bus_subscription WHERE bus = ? AND subscription_id = ? AND owner = ?""";
    }

    /**
     * The claims of a bus whose lease has not ended on the database's clock, with their subscriptions'
     * ids: (bus). The primary key's prefix finds the bus's rows.
     */
    String selectCurrentClaims() {
        return """
                SELECT subscription_id, owner, epoch, lease_until FROM signal_bus_subscription WHERE bus = ?
                AND owner IS NOT NULL AND lease_until > CURRENT_TIMESTAMP""";
    }

    // ------------------------------------------------------------------ members of partitioned subscriptions

    /** Deletes the members whose heartbeat has ended: (bus, subscription id). */
    String deleteEndedMembers() {
        return """
                DELETE FROM signal_bus_member WHERE bus = ? AND subscription_id = ? AND lease_until <= CURRENT_TIMESTAMP""";
    }

    /** Extends a member's heartbeat: (lease ms, bus, subscription id, member). */
    String renewMember() {
        return """
                UPDATE signal_bus_member SET lease_until = %s WHERE bus = ? AND subscription_id = ? AND member = ?"""
                .formatted(nowPlusMillis());
    }

    /** Adds a member: (bus, subscription id, member, lease ms). */
    String insertMember() {
        return """
                INSERT INTO signal_bus_member (bus, subscription_id, member, lease_until) VALUES (?, ?, ?, %s)"""
                .formatted(nowPlusMillis());
    }

    /** The members whose heartbeat has not ended, by id: (bus, subscription id). */
    String selectLiveMembers() {
        return """
                SELECT member FROM signal_bus_member WHERE bus = ? AND subscription_id = ? AND lease_until > CURRENT_TIMESTAMP
                ORDER BY member""";
    }

    /** Deletes one member: (bus, subscription id, member). */
    String deleteMember() {
        return """
                DELETE FROM signal_bus_member WHERE bus = ? AND subscription_id = ? AND member = ?""";
    }

    /** Gives up the claim if this owner holds it: (bus, subscription id, owner). */
    String release() {
        return """
                UPDATE signal_bus_subscription SET owner = NULL, lease_until = NULL
                WHERE bus = ? AND subscription_id = ? AND owner = ?""";
    }

    /** Sets the checkpoint if the epoch is still the subscription's: (position, time, bus, subscription id, epoch). */
    String updateCheckpoint() {
        return """
                UPDATE signal_bus_subscription SET checkpoint_position = ?, checkpoint_time = ?
                WHERE bus = ? AND subscription_id = ? AND epoch = ?""";
    }

    /** Forgets the attempts at or below the checkpoint: (bus, subscription id, checkpoint position). */
    String deleteAttemptsThrough() {
        return """
                DELETE FROM signal_bus_attempt WHERE bus = ? AND subscription_id = ? AND position <= ?""";
    }

    /** Position and attempts above a position: (bus, subscription id, after position). */
    String selectAttempts() {
        return """
                SELECT position, attempts FROM signal_bus_attempt WHERE bus = ? AND subscription_id = ?
                AND position > ?""";
    }

    /** Dead letters in position order, columns as {@link JdbcMapping#deadLetter} reads them: (bus, subscription id, limit). */
    String selectDeadLetters() {
        return """
                SELECT subscription_id, position, envelope, attempts, error_type, error_message, dead_lettered_at
                FROM signal_bus_dead_letter WHERE bus = ? AND subscription_id = ? ORDER BY position LIMIT ?""";
    }

    /** The number of dead letters: (bus, subscription id). */
    String countDeadLetters() {
        return """
                SELECT COUNT(*) FROM signal_bus_dead_letter WHERE bus = ? AND subscription_id = ?""";
    }

    /** Deletes one dead letter: (bus, subscription id, position). */
    String deleteDeadLetter() {
        return """
                DELETE FROM signal_bus_dead_letter WHERE bus = ? AND subscription_id = ? AND position = ?""";
    }
}
