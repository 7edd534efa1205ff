package io.signalbus.jdbc;

import io.signalbus.Checkpoint;
import io.signalbus.DeadLetter;
import io.signalbus.SignalStoreException;
import io.signalbus.store.Lease;
import io.signalbus.store.SignalStore;
import io.signalbus.store.SubscriptionRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The part of {@link JdbcSignalStore} that keeps persistent subscriptions, their retry state and
 * dead letters ({@link SubscriptionRepository}), and the plumbing both parts share: statements
 * with the store's query timeout, and failures reported as {@link SignalStoreException} naming the
 * bus and the operation. A separate class only to keep each file readable.
 */
abstract sealed class JdbcSubscriptionStore implements SignalStore permits JdbcSignalStore {

    final JdbcTemplate jdbc;
    final StoreStatements sql;
    final TransactionTemplate transactions;
    private final SubscriptionRepository subscriptions;

    JdbcSubscriptionStore(DataSource dataSource, Duration queryTimeout, StoreStatements sql, JdbcMapping mapping) {
        this.jdbc = new JdbcTemplate(dataSource);
        jdbc.setQueryTimeout((int) queryTimeout.toSeconds());
        this.sql = sql;
        this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        this.subscriptions = new SubscriptionRepository(jdbc, sql, mapping);
    }

    // ------------------------------------------------------------------ subscriptions

    @Override
    public Optional<SubscriptionRecord> findSubscription(String busName, String subscriptionId) {
        return run(busName, "read subscription " + subscriptionId, () -> subscriptions.find(busName, subscriptionId));
    }

    @Override
    public List<SubscriptionRecord> subscriptions(String busName) {
        return run(busName, "list subscriptions", () -> subscriptions.findAll(busName));
    }

    @Override
    public SubscriptionRecord createSubscription(SubscriptionRecord record) {
        return run(record.busName(), "create subscription " + record.subscriptionId(),
                () -> subscriptions.create(record));
    }

    @Override
    public void updateSettings(SubscriptionRecord record) {
        run(record.busName(), "update the settings of subscription " + record.subscriptionId(), () -> {
            subscriptions.updateSettings(record);
            return null;
        });
    }

    /**
     * {@inheritDoc} The lease ends on the database's clock ({@code CURRENT_TIMESTAMP}); {@code now} is
     * ignored, so a process whose clock runs ahead cannot take a live claim.
     */
    @Override
    public @Nullable Lease claim(String busName, String subscriptionId, String owner, Instant now, Duration lease) {
        return run(busName, "claim subscription " + subscriptionId + " for " + owner,
                () -> inTransaction(() -> subscriptions.claim(busName, subscriptionId, owner, lease)));
    }

    /** {@inheritDoc} One query, on the database's clock; {@code now} is ignored. */
    @Override
    public Map<String, Lease> currentClaims(String busName, Instant now) {
        return run(busName, "read the claims of its subscriptions", () -> subscriptions.currentClaims(busName));
    }

    /** {@inheritDoc} On the database's clock; {@code now} is ignored. */
    @Override
    public List<String> heartbeat(String busName, String subscriptionId, String member, Instant now,
            Duration lease) {
        return run(busName, "heartbeat of " + member + " for subscription " + subscriptionId,
                () -> inTransaction(() -> subscriptions.heartbeat(busName, subscriptionId, member, lease)));
    }

    @Override
    public void leave(String busName, String subscriptionId, String member) {
        run(busName, "leave subscription " + subscriptionId, () -> {
            subscriptions.leave(busName, subscriptionId, member);
            return null;
        });
    }

    @Override
    public void release(String busName, String subscriptionId, String owner) {
        run(busName, "release subscription " + subscriptionId, () -> jdbc.update(sql.release(), busName,
                subscriptionId, owner));
    }

    @Override
    public boolean deleteSubscription(String busName, String subscriptionId) {
        return run(busName, "delete subscription " + subscriptionId,
                () -> subscriptions.delete(busName, subscriptionId));
    }

    @Override
    public void saveCheckpoint(String busName, String subscriptionId, long epoch, Checkpoint checkpoint) {
        run(busName, "save checkpoint " + checkpoint.position() + " of subscription " + subscriptionId,
                () -> inTransaction(() -> {
                    subscriptions.saveCheckpoint(busName, subscriptionId, epoch, checkpoint);
                    return null;
                }));
    }

    @Override
    public void saveAttempts(String busName, String subscriptionId, long epoch, long position, int attempts) {
        run(busName, "save the attempts at position " + position + " of subscription " + subscriptionId, () -> {
            subscriptions.saveAttempts(busName, subscriptionId, epoch, position, attempts);
            return null;
        });
    }

    @Override
    public Map<Long, Integer> attempts(String busName, String subscriptionId, long afterPosition) {
        return run(busName, "read the attempts of subscription " + subscriptionId,
                () -> subscriptions.attempts(busName, subscriptionId, afterPosition));
    }

    @Override
    public void addDeadLetter(String busName, long epoch, DeadLetter deadLetter) {
        run(busName, "store the dead letter at position " + deadLetter.position() + " of subscription "
                + deadLetter.subscriptionId(), () -> {
                    subscriptions.addDeadLetter(busName, epoch, deadLetter);
                    return null;
                });
    }

    @Override
    public List<DeadLetter> deadLetters(String busName, String subscriptionId, int limit) {
        return run(busName, "read the dead letters of subscription " + subscriptionId,
                () -> subscriptions.deadLetters(busName, subscriptionId, limit));
    }

    @Override
    public long countDeadLetters(String busName, String subscriptionId) {
        return run(busName, "count the dead letters of subscription " + subscriptionId,
                () -> subscriptions.countDeadLetters(busName, subscriptionId));
    }

    @Override
    public boolean deleteDeadLetter(String busName, String subscriptionId, long position) {
        return run(busName, "delete the dead letter at position " + position + " of subscription " + subscriptionId,
                () -> subscriptions.deleteDeadLetter(busName, subscriptionId, position));
    }

    // ------------------------------------------------------------------ plumbing

    /** Joins the caller's transaction, or runs in a new one. */
    <T> T inTransaction(Supplier<T> work) {
        if (TransactionSynchronizationManager.isActualTransactionActive()) {
            return work.get();
        }
        return transactions.execute(status -> work.get());
    }

    static <T> T run(String busName, String operation, Supplier<T> action) {
        try {
            return action.get();
        } catch (DataAccessException | TransactionException e) {
            throw new SignalStoreException("bus '" + busName + "': could not " + operation + ": " + message(e), e);
        }
    }

    static String message(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }
}
