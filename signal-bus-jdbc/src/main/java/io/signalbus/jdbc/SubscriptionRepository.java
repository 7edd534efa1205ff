package io.signalbus.jdbc;

import io.signalbus.Checkpoint;
import io.signalbus.DeadLetter;
import io.signalbus.InvalidSignalException;
import io.signalbus.Signal;
import io.signalbus.SignalStoreException;
import io.signalbus.json.SignalJson;
import io.signalbus.store.SubscriptionRecord;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.SqlParameterValue;

/**
 * The tables of persistent subscriptions: {@code signal_bus_subscription} (settings and checkpoint),
 * {@code signal_bus_attempt} (failed attempts above the checkpoint) and {@code signal_bus_dead_letter}.
 * Attempts and dead letters belong to their subscription (foreign key, deleted with it); writing them
 * for a subscription that does not exist does nothing, as in the in-memory store. Statements run on
 * the caller's transaction if there is one, else each commits on its own.
 */
final class SubscriptionRepository {

    private static final String SUBSCRIPTION_COLUMNS = "bus, subscription_id, pattern, checkpoint_position,"
            + " checkpoint_time, max_in_flight, max_attempts, ack_timeout_ms, priority, created_at";

    private final JdbcTemplate jdbc;
    private final JdbcDialect dialect;
    private final SignalJson codec;

    SubscriptionRepository(JdbcTemplate jdbc, JdbcDialect dialect, SignalJson codec) {
        this.jdbc = jdbc;
        this.dialect = dialect;
        this.codec = codec;
    }

    Optional<SubscriptionRecord> find(String bus, String subscriptionId) {
        return jdbc.query("SELECT " + SUBSCRIPTION_COLUMNS + " FROM signal_bus_subscription"
                + " WHERE bus = ? AND subscription_id = ?", SubscriptionRepository::subscription, bus, subscriptionId)
                .stream().findFirst();
    }

    List<SubscriptionRecord> findAll(String bus) {
        // sorted here: database collations disagree about '-', '_' and case; String order is the contract's
        return jdbc.query("SELECT " + SUBSCRIPTION_COLUMNS + " FROM signal_bus_subscription WHERE bus = ?",
                SubscriptionRepository::subscription, bus)
                .stream().sorted(Comparator.comparing(SubscriptionRecord::subscriptionId)).toList();
    }

    /** Inserts unless the id exists (another caller may have won a race); returns what is stored. */
    SubscriptionRecord create(SubscriptionRecord record) {
        try {
            jdbc.update(dialect.insertSubscriptionIfAbsent, record.busName(), record.subscriptionId(),
                    record.pattern(), record.checkpoint().position(), timestampParameter(record.checkpoint().time()),
                    record.maxInFlight(), record.maxAttempts(), record.ackTimeout().toMillis(), record.priority(),
                    timestamp(record.createdAt()));
        } catch (DuplicateKeyException raced) {
            // another caller inserted it between our check and our insert (H2's MERGE can race); it wins
        }
        return find(record.busName(), record.subscriptionId()).orElseThrow(() -> new IllegalStateException(
                "subscription '" + record.subscriptionId() + "' was deleted while it was being created"));
    }

    void updateSettings(SubscriptionRecord record) {
        jdbc.update("UPDATE signal_bus_subscription SET max_in_flight = ?, max_attempts = ?, ack_timeout_ms = ?,"
                + " priority = ? WHERE bus = ? AND subscription_id = ?", record.maxInFlight(), record.maxAttempts(),
                record.ackTimeout().toMillis(), record.priority(), record.busName(), record.subscriptionId());
    }

    /** Deletes the subscription; its attempts and dead letters go with it (ON DELETE CASCADE). */
    boolean delete(String bus, String subscriptionId) {
        return jdbc.update("DELETE FROM signal_bus_subscription WHERE bus = ? AND subscription_id = ?", bus,
                subscriptionId) > 0;
    }

    /** Both statements must run in one transaction; the caller provides it. */
    void saveCheckpoint(String bus, String subscriptionId, Checkpoint checkpoint) {
        jdbc.update("UPDATE signal_bus_subscription SET checkpoint_position = ?, checkpoint_time = ?"
                + " WHERE bus = ? AND subscription_id = ?", checkpoint.position(), timestampParameter(checkpoint.time()), bus,
                subscriptionId);
        jdbc.update("DELETE FROM signal_bus_attempt WHERE bus = ? AND subscription_id = ? AND position <= ?", bus,
                subscriptionId, checkpoint.position());
    }

    void saveAttempts(String bus, String subscriptionId, long position, int attempts) {
        jdbc.update(dialect.upsertAttempts, position, attempts, bus, subscriptionId);
    }

    Map<Long, Integer> attempts(String bus, String subscriptionId, long afterPosition) {
        var attempts = new HashMap<Long, Integer>();
        jdbc.query("SELECT position, attempts FROM signal_bus_attempt WHERE bus = ? AND subscription_id = ?"
                + " AND position > ?", rs -> {
                    attempts.put(rs.getLong(1), rs.getInt(2));
                }, bus, subscriptionId, afterPosition);
        return attempts;
    }

    void addDeadLetter(String bus, DeadLetter deadLetter) {
        jdbc.update(dialect.upsertDeadLetter, deadLetter.position(), deadLetter.signal().id(),
                codec.encode(deadLetter.signal()), deadLetter.attempts(), deadLetter.errorType(),
                new SqlParameterValue(Types.VARCHAR, deadLetter.errorMessage()), timestamp(deadLetter.deadLetteredAt()),
                bus, deadLetter.subscriptionId());
    }

    List<DeadLetter> deadLetters(String bus, String subscriptionId, int limit) {
        return jdbc.query("SELECT subscription_id, position, envelope, attempts, error_type, error_message,"
                + " dead_lettered_at FROM signal_bus_dead_letter WHERE bus = ? AND subscription_id = ?"
                + " ORDER BY position LIMIT ?", (rs, row) -> new DeadLetter(rs.getString(1), rs.getLong(2),
                        decode(codec, rs.getString(3), "dead letter at position " + rs.getLong(2)), rs.getInt(4),
                        rs.getString(5), rs.getString(6), instant(rs, 7)), bus, subscriptionId, limit);
    }

    long countDeadLetters(String bus, String subscriptionId) {
        Long count = jdbc.queryForObject("SELECT COUNT(*) FROM signal_bus_dead_letter WHERE bus = ?"
                + " AND subscription_id = ?", Long.class, bus, subscriptionId);
        return count == null ? 0 : count;
    }

    boolean deleteDeadLetter(String bus, String subscriptionId, long position) {
        return jdbc.update("DELETE FROM signal_bus_dead_letter WHERE bus = ? AND subscription_id = ? AND position = ?",
                bus, subscriptionId, position) > 0;
    }

    private static SubscriptionRecord subscription(ResultSet rs, int row) throws SQLException {
        Instant checkpointTime = nullableInstant(rs, 5);
        return new SubscriptionRecord(rs.getString(1), rs.getString(2), rs.getString(3),
                new Checkpoint(rs.getLong(4), checkpointTime), rs.getInt(6), rs.getInt(7),
                Duration.ofMillis(rs.getLong(8)), rs.getInt(9), instant(rs, 10));
    }

    /**
     * A time as stored: truncated to the microsecond, PostgreSQL's precision, so that every database
     * returns exactly what it was given at that precision.
     */
    static @Nullable OffsetDateTime timestamp(@Nullable Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
    }

    /** A nullable time as a typed parameter, so the driver need not ask the database for its type. */
    static SqlParameterValue timestampParameter(@Nullable Instant instant) {
        return new SqlParameterValue(Types.TIMESTAMP_WITH_TIMEZONE, timestamp(instant));
    }

    /** Decodes a stored envelope; one that cannot be decoded is a store failure, not bad input. */
    static Signal decode(SignalJson codec, String envelope, String what) {
        try {
            return codec.decode(envelope);
        } catch (InvalidSignalException e) {
            throw new SignalStoreException("the stored envelope of the " + what + " cannot be decoded: "
                    + e.getMessage(), e);
        }
    }

    static Instant instant(ResultSet rs, int column) throws SQLException {
        Instant instant = nullableInstant(rs, column);
        if (instant == null) {
            throw new SQLException("column " + column + " is null");
        }
        return instant;
    }

    static @Nullable Instant nullableInstant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime time = rs.getObject(column, OffsetDateTime.class);
        return time == null ? null : time.toInstant();
    }
}
