package io.signalbus.jdbc;

import io.signalbus.InvalidSignalException;
import io.signalbus.PublishOutcomeUnknownException;
import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import io.signalbus.SignalBusException;
import io.signalbus.SignalStoreException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Decides how an append commits: inside the caller's transaction on this DataSource (staged by the
 * {@link TransactionStager}, given positions after commit by the {@link Sequencer}), or else through
 * group commit; and turns failures into what the caller should see: {@link InvalidSignalException} naming
 * a signal id already in the log, {@link PublishOutcomeUnknownException} when the connection failed
 * while a group commit's write was on its way (it may have committed), or {@link SignalStoreException}
 * naming the bus.
 */
final class LogAppender implements AutoCloseable, GroupCommitWriter.Log {

    private static final Logger log = LoggerFactory.getLogger(LogAppender.class);

    private static final int QUEUE_CAPACITY = 4096;
    private static final int MAX_GROUP_SIGNALS = 1000;

    private final DataSource dataSource;
    private final IdLookup ids;
    private final LogWriter logWriter;
    private final TransactionStager stager;
    private final GroupCommitWriter groupCommit;

    LogAppender(DataSource dataSource, JdbcTemplate jdbc, StoreStatements sql, LogWriter logWriter,
            TransactionStager stager, Duration publishTimeout) {
        this.dataSource = dataSource;
        this.ids = new IdLookup(jdbc, sql);
        this.logWriter = logWriter;
        this.stager = stager;
        this.groupCommit = new GroupCommitWriter("signal-bus-jdbc-writer", QUEUE_CAPACITY, MAX_GROUP_SIGNALS,
                publishTimeout, this);
    }

    List<RecordedSignal> append(AppendRequest request) {
        List<RecordedSignal> staged = appendInCallerTransaction(request);
        return staged != null ? staged : groupCommit.append(request); // the sequencer hands staged ones on
    }

    /**
     * Inside a transaction (with synchronization active), runs {@code action} after it commits and
     * never if it rolls back; otherwise runs it now. A failing action is logged, not thrown into the
     * committing code.
     */
    static void afterCommit(Runnable action) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            action.run();
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                try {
                    action.run();
                } catch (RuntimeException e) {
                    log.warn("signal-bus: waking subscribers after commit failed", e);
                }
            }
        });
    }

    /** Stages the request in the caller's transaction; null when it has none on this DataSource. */
    private @Nullable List<RecordedSignal> appendInCallerTransaction(AppendRequest request) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()
                || !TransactionSynchronizationManager.isSynchronizationActive()) {
            return null;
        }
        Connection connection = DataSourceUtils.getConnection(dataSource);
        try {
            if (connection.getAutoCommit()) {
                return null; // a transaction of some other resource: this DataSource is not part of it
            }
            return stager.stage(connection, request);
        } catch (SQLException e) {
            throw new SignalStoreException("could not append " + request.size() + " signals to bus '" + request.bus()
                    + "' in the caller's transaction: " + e.getMessage(), e);
        } finally {
            DataSourceUtils.releaseConnection(connection, dataSource);
        }
    }

    @Override
    public List<List<RecordedSignal>> writeGroup(List<AppendRequest> group) {
        return logWriter.commit(group);
    }

    /** One request in its own transaction, failing with the exception its caller should see. */
    @Override
    public List<RecordedSignal> writeAlone(AppendRequest request) {
        try {
            return logWriter.commit(List.of(request)).get(0);
        } catch (RuntimeException e) {
            throw failure(request, e);
        }
    }

    /**
     * What the caller of a request written outside its transaction should see: outcome unknown when
     * the connection failed after the write may have reached the database (in auto-commit mode, or at
     * the commit, it may have committed), else {@link #appendFailure}.
     */
    @Override
    public RuntimeException failure(AppendRequest request, RuntimeException failure) {
        if (!(failure instanceof SignalBusException) && connectionFailure(failure) == ConnectionFailure.LOST) {
            return new PublishOutcomeUnknownException("the connection failed while " + request.size()
                    + " signals were being appended to bus '" + request.bus() + "': "
                    + JdbcSignalStore.message(failure), failure);
        }
        return appendFailure(request, failure);
    }

    /**
     * Whether {@code failure} says the database cannot be reached: no connection could be had, or one
     * failed while in use.
     */
    @Override
    public boolean unavailable(Throwable failure) {
        return connectionFailure(failure) != ConnectionFailure.NONE;
    }

    /** Not when the database is unavailable, nor when the group ran out of its query timeout. */
    @Override
    public boolean retryAlone(RuntimeException failure) {
        return !(failure instanceof QueryTimeoutException) && !unavailable(failure);
    }

    /** How a connection failed, if one did. */
    private enum ConnectionFailure {
        NONE,
        /** None could be had: nothing reached the database. */
        NOT_CONNECTED,
        /** One failed while in use (SQL state class 08, or the driver's connection exceptions). */
        LOST
    }

    private static ConnectionFailure connectionFailure(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof CannotGetJdbcConnectionException || cause instanceof SQLTransientConnectionException) {
                return ConnectionFailure.NOT_CONNECTED;
            }
            if (cause instanceof SQLNonTransientConnectionException || cause instanceof SQLRecoverableException
                    || cause instanceof SQLException sql && sql.getSQLState() != null
                            && sql.getSQLState().startsWith("08")) {
                return ConnectionFailure.LOST;
            }
        }
        return ConnectionFailure.NONE;
    }

    private RuntimeException appendFailure(AppendRequest request, RuntimeException failure) {
        if (failure instanceof SignalBusException signalBusException) {
            return signalBusException;
        }
        if (failure instanceof DuplicateKeyException) {
            try {
                InvalidSignalException duplicate = duplicateIdIn(request, failure);
                if (duplicate != null) {
                    return duplicate;
                }
            } catch (DataAccessException e) {
                failure.addSuppressed(e);
            }
        }
        return new SignalStoreException("could not append " + request.size() + " signals to bus '" + request.bus()
                + "': " + JdbcSignalStore.message(failure), failure);
    }

    private @Nullable InvalidSignalException duplicateIdIn(AppendRequest request, RuntimeException failure) {
        Map<String, Long> existing = ids.inLog(request.bus(), request.signals().stream().map(Signal::id).toList());
        for (Signal signal : request.signals()) {
            Long position = existing.get(signal.id());
            if (position != null) {
                return new InvalidSignalException("signal id '" + signal.id() + "' is already in the log of bus '"
                        + request.bus() + "' at position " + position, failure);
            }
        }
        return null;
    }

    /** Stops group commit; later appends outside a transaction commit alone. */
    @Override
    public void close() {
        groupCommit.close();
    }
}
