package io.signalbus.jdbc;

import io.signalbus.Checkpoint;
import io.signalbus.DeadLetter;
import io.signalbus.InvalidSignalException;
import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import io.signalbus.json.SignalJson;
import io.signalbus.store.SubscriptionRecord;
import io.signalbus.store.UndecodableSignals;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.SqlParameterValue;

/**
 * Between JDBC and the store's types: rows to {@link RecordedSignal}, {@link DeadLetter} and
 * {@link SubscriptionRecord} (columns in the order the {@link StoreStatements} select them), and
 * times to and from {@code TIMESTAMP WITH TIME ZONE} parameters and columns.
 */
final class JdbcMapping {

    private final SignalJson codec;

    JdbcMapping(SignalJson codec) {
        this.codec = codec;
    }

    /** A row of (position, recorded at, envelope). */
    RecordedSignal recordedSignal(ResultSet rs) throws SQLException {
        return decoded(rs.getLong(1), instant(rs, 2), rs.getString(3));
    }

    /** A row of (subscription id, position, envelope, attempts, error type, error message, dead-lettered at). */
    DeadLetter deadLetter(ResultSet rs) throws SQLException {
        long position = rs.getLong(2);
        Instant deadLetteredAt = instant(rs, 7);
        return new DeadLetter(rs.getString(1), position, decoded(position, deadLetteredAt, rs.getString(3)).signal(),
                rs.getInt(4), rs.getString(5), rs.getString(6), deadLetteredAt);
    }

    /**
     * A row of (bus, subscription id, pattern, checkpoint position, checkpoint time, max in flight,
     * max attempts, ack timeout ms, priority, created at, partitions).
     */
    static SubscriptionRecord subscription(ResultSet rs, int row) throws SQLException {
        Instant checkpointTime = nullableInstant(rs, 5);
        return new SubscriptionRecord(rs.getString(1), rs.getString(2), rs.getString(3),
                new Checkpoint(rs.getLong(4), checkpointTime), rs.getInt(6), rs.getInt(7),
                Duration.ofMillis(rs.getLong(8)), rs.getInt(9), instant(rs, 10), rs.getInt(11));
    }

    /** The envelope of a signal, as the log and dead letters store it. */
    String encode(Signal signal) {
        return codec.encode(signal);
    }

    /**
     * Decodes a stored envelope. One that cannot be decoded (written by an older version, edited by
     * hand) becomes a placeholder at its position: failing the read would stall every reader behind it
     * for good, and skipping it would lose it silently.
     */
    private RecordedSignal decoded(long position, Instant recordedAt, String envelope) {
        try {
            return new RecordedSignal(position, codec.decode(envelope), recordedAt);
        } catch (RuntimeException e) {
            String reason = e instanceof InvalidSignalException ? String.valueOf(e.getMessage()) : e.toString();
            return UndecodableSignals.placeholder(position, recordedAt, envelope, reason);
        }
    }

    /**
     * A time as stored: truncated to the microsecond, PostgreSQL's precision, so that every database
     * returns exactly what it was given at that precision.
     */
    static @Nullable OffsetDateTime timestamp(@Nullable Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
    }

    /** Microseconds since the epoch, as PostgreSQL's array appends and staging inserts take times. */
    static long micros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    }

    /** The time {@code micros} microseconds after the epoch: the inverse of {@link #micros}. */
    static Instant instantOfMicros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    /** A nullable time as a typed parameter, so the driver need not ask the database for its type. */
    static SqlParameterValue timestampParameter(@Nullable Instant instant) {
        return new SqlParameterValue(Types.TIMESTAMP_WITH_TIMEZONE, timestamp(instant));
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
