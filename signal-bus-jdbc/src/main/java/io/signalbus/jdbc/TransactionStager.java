package io.signalbus.jdbc;

import io.signalbus.InvalidSignalException;
import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import io.signalbus.SignalBusException;
import io.signalbus.SignalStoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Publishes inside the caller's transaction without touching the bus head: the signals go into
 * {@code signal_bus_pending} only, under a key shared by every publish of that transaction, and the
 * {@link Sequencer} gives them positions once the transaction has committed. So a transaction that
 * stays open holds no lock another publisher needs, and a rollback leaves nothing behind.
 *
 * <p>An id already in the log is rejected here ({@link InvalidSignalException}) and the caller's
 * transaction stays usable: on PostgreSQL the insert skips such rows (a failed statement would
 * abort the whole transaction) and the rows this publish did stage are deleted again; on H2 the
 * publish runs under a savepoint (cheap in process). The check cannot see a signal with the same id
 * that another transaction stages or sequences meanwhile: the unique key of the staging table
 * catches a staged one, and the sequencer drops one already in the log (see {@link Sequencer}).
 */
final class TransactionStager {

    private final JdbcTemplate jdbc;
    private final StoreStatements sql;
    private final boolean underSavepoint;
    private final Sequencer sequencer;
    private final IdLookup idLookup;
    /** The database's bounds of one statement (rows, characters of envelopes). */
    private final AppendStrategy bounds;

    TransactionStager(JdbcTemplate jdbc, JdbcDialect dialect, AppendStrategy bounds, Sequencer sequencer) {
        this.jdbc = jdbc;
        this.idLookup = new IdLookup(jdbc, dialect.statements());
        this.sql = dialect.statements();
        this.underSavepoint = dialect == JdbcDialect.H2;
        this.sequencer = sequencer;
        this.bounds = bounds;
    }

    /**
     * Stages the request in the caller's transaction on {@code connection} (one of this DataSource,
     * not in auto-commit mode); returns its signals with {@link RecordedSignal#UNASSIGNED} positions.
     */
    List<RecordedSignal> stage(Connection connection, AppendRequest request) throws SQLException {
        Transaction transaction = current();
        Savepoint savepoint = underSavepoint ? connection.setSavepoint() : null;
        List<String> skipped;
        try {
            skipped = insert(transaction.key, request);
        } catch (RuntimeException e) {
            undo(connection, savepoint, request, transaction.key, List.of(), e);
            throw e instanceof DuplicateKeyException ? rejected(request, request.signals().stream()
                    .map(Signal::id).toList(), e) : new SignalStoreException("could not append " + request.size()
                    + " signals to bus '" + request.bus() + "' in the caller's transaction: "
                    + JdbcSignalStore.message(e), e);
        }
        if (!skipped.isEmpty()) {
            RuntimeException rejected = rejected(request, skipped, null);
            List<String> inserted = request.signals().stream().map(Signal::id).filter(id -> !skipped.contains(id))
                    .toList();
            undo(connection, savepoint, request, transaction.key, inserted, rejected);
            throw rejected;
        }
        if (savepoint != null) {
            connection.releaseSavepoint(savepoint);
        }
        transaction.requests.computeIfAbsent(request.bus(), bus -> new ArrayList<>()).add(request);
        var recorded = new ArrayList<RecordedSignal>(request.size());
        for (Signal signal : request.signals()) {
            recorded.add(new RecordedSignal(RecordedSignal.UNASSIGNED, signal, request.recordedAt()));
        }
        return recorded;
    }

    /**
     * Removes what a rejected request staged: back to the savepoint on H2; on PostgreSQL the rows it
     * {@code inserted} are deleted (after a failed statement none are: PostgreSQL will not commit
     * that transaction anyway).
     */
    private void undo(Connection connection, @Nullable Savepoint savepoint, AppendRequest request, long key,
            List<String> inserted, RuntimeException failure) {
        try {
            if (savepoint != null) {
                connection.rollback(savepoint);
            } else if (!inserted.isEmpty()) {
                jdbc.batchUpdate(sql.deletePendingOf(), inserted.stream()
                        .map(id -> new Object[] {request.bus(), key, id}).toList());
            }
        } catch (SQLException | DataAccessException undoFailure) {
            failure.addSuppressed(undoFailure);
            throw new SignalStoreException("could not undo a failed append to bus '" + request.bus()
                    + "' in the caller's transaction: " + undoFailure.getMessage(), failure);
        }
    }

    /**
     * Inserts the rows; returns the ids it skipped because they are taken (in the log, or on
     * PostgreSQL staged), throws the database's exception.
     */
    private List<String> insert(long key, AppendRequest request) {
        Object recorded = sql.stagingTime(request.recordedAt()); // one time for every signal of the request
        Object created = sql.stagingTime(Instant.now());
        String array = sql.insertPendingArray();
        if (array != null && request.size() > 1
                && bounds.appendsInOneStatement(request.size(), request.envelopeChars())) {
            return insertInOneStatement(array, key, request, recorded, created);
        }
        if (request.size() == 1) { // most transactions publish one signal: no batch to set up
            int count = jdbc.update(sql.insertPending(), pendingRow(request, 0, key, recorded, created));
            return count == 0 ? List.of(request.signals().get(0).id()) : List.of();
        }
        var rows = new ArrayList<Object[]>(request.size());
        for (int i = 0; i < request.size(); i++) {
            rows.add(pendingRow(request, i, key, recorded, created));
        }
        int[] counts = jdbc.batchUpdate(sql.insertPending(), rows);
        var skipped = new ArrayList<String>();
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == 0) {
                skipped.add(request.signals().get(i).id());
            }
        }
        return skipped;
    }

    /** The parameters of {@link StoreStatements#insertPending()} for the request's {@code i}th signal. */
    private static Object[] pendingRow(AppendRequest request, int i, long key, Object recorded, Object created) {
        Signal signal = request.signals().get(i);
        return new Object[] {request.bus(), key, signal.id(), signal.type(), recorded, created,
                request.envelopes().get(i), signal.id(), request.bus()};
    }

    /**
     * {@link #insert} as one statement (one plan, one execution, instead of one per signal); returns
     * the ids it skipped.
     */
    private List<String> insertInOneStatement(String array, long key, AppendRequest request, Object recorded,
            Object created) {
        int size = request.size();
        var ids = new String[size];
        var types = new String[size];
        for (int i = 0; i < size; i++) {
            ids[i] = request.signals().get(i).id();
            types[i] = request.signals().get(i).type();
        }
        Set<String> inserted = new HashSet<>(jdbc.query(connection -> {
            PreparedStatement ps = connection.prepareStatement(array);
            ps.setString(1, request.bus());
            ps.setLong(2, key);
            ps.setObject(3, recorded);
            ps.setObject(4, created);
            ps.setObject(5, ids);
            ps.setObject(6, types);
            ps.setObject(7, request.envelopes().toArray(String[]::new));
            ps.setString(8, request.bus());
            return ps;
        }, (rs, row) -> rs.getString(1)));
        return Arrays.stream(ids).filter(id -> !inserted.contains(id)).toList();
    }

    /** The exception naming one of {@code ids} that is already in the log or staged. */
    private RuntimeException rejected(AppendRequest request, List<String> ids, @Nullable RuntimeException failure) {
        Map<String, Long> inLog = Map.of();
        Set<String> staged = Set.of();
        try {
            inLog = idLookup.inLog(request.bus(), ids);
            staged = idLookup.staged(request.bus(), ids);
        } catch (DataAccessException e) {
            if (failure == null) {
                return new SignalStoreException("an id of " + ids.size() + " signals appended to bus '"
                        + request.bus() + "' is already published; could not find which: " + e.getMessage(), e);
            }
            failure.addSuppressed(e);
        }
        for (String id : ids) {
            Long position = inLog.get(id);
            if (position != null) {
                return invalid("signal id '" + id + "' is already in the log of bus '" + request.bus()
                        + "' at position " + position, failure);
            }
            if (staged.contains(id)) {
                return invalid("signal id '" + id + "' is already published to bus '" + request.bus()
                        + "' and waiting for its position", failure);
            }
        }
        if (failure instanceof SignalBusException signalBusException) {
            return signalBusException;
        }
        String message = "could not append " + ids.size() + " signals to bus '" + request.bus()
                + "': an id is already published";
        return failure == null ? new SignalStoreException(message) : new SignalStoreException(message, failure);
    }

    private static InvalidSignalException invalid(String message, @Nullable Throwable cause) {
        return cause == null ? new InvalidSignalException(message) : new InvalidSignalException(message, cause);
    }

    /** The staging state of the caller's transaction, created with its first publish. */
    private Transaction current() {
        Transaction transaction = (Transaction) TransactionSynchronizationManager.getResource(this);
        if (transaction == null) {
            // random, not secret: a clash only makes a sequencer move another's rows (see MovedSignals#handOn);
            // SecureRandom's lock was contended by every committing thread
            transaction = new Transaction(ThreadLocalRandom.current().nextLong());
            TransactionSynchronizationManager.bindResource(this, transaction);
            TransactionSynchronizationManager.registerSynchronization(transaction);
        }
        return transaction;
    }

    /**
     * What one caller transaction staged, by bus, bound to the transaction as a resource so that its
     * publishes share one key; hands it to the sequencer after commit. Suspended with its transaction
     * (REQUIRES_NEW), so that an inner transaction gets its own key.
     */
    private final class Transaction implements TransactionSynchronization {

        final long key;
        final Map<String, List<AppendRequest>> requests = new LinkedHashMap<>();

        Transaction(long key) {
            this.key = key;
        }

        @Override
        public void suspend() {
            TransactionSynchronizationManager.unbindResource(TransactionStager.this);
        }

        @Override
        public void resume() {
            TransactionSynchronizationManager.bindResource(TransactionStager.this, this);
        }

        @Override
        public void afterCommit() {
            sequencer.committed(key, requests);
        }

        @Override
        public void afterCompletion(int status) {
            TransactionSynchronizationManager.unbindResourceIfPossible(TransactionStager.this);
        }
    }
}
