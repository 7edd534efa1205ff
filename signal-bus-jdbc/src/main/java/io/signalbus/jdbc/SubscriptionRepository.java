package io.signalbus.jdbc;

import io.signalbus.Checkpoint;
import io.signalbus.DeadLetter;
import io.signalbus.store.ClaimLostException;
import io.signalbus.store.Lease;
import io.signalbus.store.SubscriptionRecord;
import java.sql.Types;
import java.time.Duration;
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
 * for a subscription that does not exist does nothing, as in the in-memory store. Checkpoint, attempt
 * and dead-letter writes are fenced: they carry the writer's epoch and change nothing (and throw
 * {@link ClaimLostException}) unless it is still the subscription's. Statements run on
 * the caller's transaction if there is one, else each commits on its own.
 */
final class SubscriptionRepository {

    private final JdbcTemplate jdbc;
    private final StoreStatements sql;
    private final JdbcMapping mapping;

    SubscriptionRepository(JdbcTemplate jdbc, StoreStatements sql, JdbcMapping mapping) {
        this.jdbc = jdbc;
        this.sql = sql;
        this.mapping = mapping;
    }

    Optional<SubscriptionRecord> find(String bus, String subscriptionId) {
        return jdbc.query(sql.findSubscription(), JdbcMapping::subscription, bus, subscriptionId).stream().findFirst();
    }

    List<SubscriptionRecord> findAll(String bus) {
        // sorted here: database collations disagree about '-', '_' and case; String order is the contract's
        return jdbc.query(sql.selectSubscriptions(), JdbcMapping::subscription, bus)
                .stream().sorted(Comparator.comparing(SubscriptionRecord::subscriptionId)).toList();
    }

    /** Inserts unless the id exists (another caller may have won a race); returns what is stored. */
    SubscriptionRecord create(SubscriptionRecord record) {
        try {
            jdbc.update(sql.insertSubscriptionIfAbsent(), record.busName(), record.subscriptionId(),
                    record.partitions(), record.pattern(), record.checkpoint().position(),
                    JdbcMapping.timestampParameter(record.checkpoint().time()), record.maxInFlight(),
                    record.maxAttempts(), record.ackTimeout().toMillis(), record.priority(),
                    JdbcMapping.timestamp(record.createdAt()));
        } catch (DuplicateKeyException raced) {
            // another caller inserted it between our check and our insert (H2's MERGE can race); it wins
        }
        return find(record.busName(), record.subscriptionId()).orElseThrow(() -> new IllegalStateException(
                "subscription '" + record.subscriptionId() + "' was deleted while it was being created"));
    }

    void updateSettings(SubscriptionRecord record) {
        jdbc.update(sql.updateSettings(), record.maxInFlight(), record.maxAttempts(), record.ackTimeout().toMillis(),
                record.priority(), record.busName(), record.subscriptionId());
    }

    /** Deletes the subscription; its attempts and dead letters go with it (ON DELETE CASCADE). */
    boolean delete(String bus, String subscriptionId) {
        return jdbc.update(sql.deleteSubscription(), bus, subscriptionId) > 0;
    }

    /** Claims in one transaction: the update, then the epoch and lease end it set; null if not claimed. */
    @Nullable Lease claim(String bus, String subscriptionId, String owner, Duration lease) {
        if (jdbc.update(sql.claim(), owner, owner, lease.toMillis(), bus, subscriptionId, owner) != 1) {
            return null;
        }
        return jdbc.query(sql.selectLease(), (rs, row) -> new Lease(owner, rs.getLong(1),
                JdbcMapping.instant(rs, 2)), bus, subscriptionId, owner).stream().findFirst().orElse(null);
    }

    /** The claims of a bus whose lease has not ended, by subscription id, on the database's clock. */
    Map<String, Lease> currentClaims(String bus) {
        var claims = new HashMap<String, Lease>();
        jdbc.query(sql.selectCurrentClaims(), rs -> {
            claims.put(rs.getString(1), new Lease(rs.getString(2), rs.getLong(3), JdbcMapping.instant(rs, 4)));
        }, bus);
        return claims;
    }

    /**
     * A member's heartbeat, on the database's clock: forgets ended members, renews or adds this one,
     * and lists the live ones. All in the caller's transaction.
     */
    List<String> heartbeat(String bus, String subscriptionId, String member, Duration lease) {
        jdbc.update(sql.deleteEndedMembers(), bus, subscriptionId);
        if (jdbc.update(sql.renewMember(), lease.toMillis(), bus, subscriptionId, member) == 0) {
            try {
                jdbc.update(sql.insertMember(), bus, subscriptionId, member, lease.toMillis());
            } catch (DuplicateKeyException raced) {
                // the same member in another thread inserted it first: it is a member either way
            }
        }
        return jdbc.queryForList(sql.selectLiveMembers(), String.class, bus, subscriptionId);
    }

    void leave(String bus, String subscriptionId, String member) {
        jdbc.update(sql.deleteMember(), bus, subscriptionId, member);
    }

    /** Both statements must run in one transaction; the caller provides it. */
    void saveCheckpoint(String bus, String subscriptionId, long epoch, Checkpoint checkpoint) {
        fenced(jdbc.update(sql.updateCheckpoint(), checkpoint.position(),
                JdbcMapping.timestampParameter(checkpoint.time()), bus, subscriptionId, epoch), bus, subscriptionId,
                epoch, "checkpoint " + checkpoint.position());
        jdbc.update(sql.deleteAttemptsThrough(), bus, subscriptionId, checkpoint.position());
    }

    void saveAttempts(String bus, String subscriptionId, long epoch, long position, int attempts) {
        fenced(jdbc.update(sql.upsertAttempts(), position, attempts, bus, subscriptionId, epoch), bus,
                subscriptionId, epoch, "the attempts at position " + position);
    }

    /**
     * After a fenced write that changed {@code rows}: none means the epoch is stale (then it throws)
     * or the subscription does not exist (then nothing is written, as for every write).
     */
    private void fenced(int rows, String bus, String subscriptionId, long epoch, String what) {
        if (rows == 0 && find(bus, subscriptionId).isPresent()) {
            throw new ClaimLostException("bus '" + bus + "': refused to write " + what + " of subscription '"
                    + subscriptionId + "' with epoch " + epoch + ": the claim has been taken since", epoch);
        }
    }

    Map<Long, Integer> attempts(String bus, String subscriptionId, long afterPosition) {
        var attempts = new HashMap<Long, Integer>();
        jdbc.query(sql.selectAttempts(), rs -> {
            attempts.put(rs.getLong(1), rs.getInt(2));
        }, bus, subscriptionId, afterPosition);
        return attempts;
    }

    void addDeadLetter(String bus, long epoch, DeadLetter deadLetter) {
        fenced(jdbc.update(sql.upsertDeadLetter(), deadLetter.position(), deadLetter.signal().id(),
                mapping.encode(deadLetter.signal()), deadLetter.attempts(), deadLetter.errorType(),
                new SqlParameterValue(Types.VARCHAR, deadLetter.errorMessage()),
                JdbcMapping.timestamp(deadLetter.deadLetteredAt()), bus, deadLetter.subscriptionId(), epoch), bus,
                deadLetter.subscriptionId(), epoch, "the dead letter at position " + deadLetter.position());
    }

    List<DeadLetter> deadLetters(String bus, String subscriptionId, int limit) {
        return jdbc.query(sql.selectDeadLetters(), (rs, row) -> mapping.deadLetter(rs), bus, subscriptionId, limit);
    }

    long countDeadLetters(String bus, String subscriptionId) {
        Long count = jdbc.queryForObject(sql.countDeadLetters(), Long.class, bus, subscriptionId);
        return count == null ? 0 : count;
    }

    boolean deleteDeadLetter(String bus, String subscriptionId, long position) {
        return jdbc.update(sql.deleteDeadLetter(), bus, subscriptionId, position) > 0;
    }
}
