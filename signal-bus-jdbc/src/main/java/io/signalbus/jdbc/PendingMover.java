package io.signalbus.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One sequencing step of a bus, in one short transaction of its own: takes the committed staged rows
 * of some whole transactions out of staging (deleting them) and appends them to the log the way group
 * commit does ({@link AppendStrategy}: the head moves, locked until commit, and the rows go in at
 * consecutive positions below it; with notifications on, the bus is notified in the same
 * transaction); on PostgreSQL both in one statement that commits by itself
 * ({@link AppendStrategy#moveStaged}). The transactions are those whose keys the caller names (the
 * local ones it saw commit, or the oldest ones staged), in that order. Two sequencers never move the
 * same rows: a row is gone once deleted, and a second delete waits for the first to commit and then
 * finds nothing. Positions are only handed out to committed signals, under the head lock, and commit
 * with them: a reader never finds a gap filled later.
 *
 * <p>The signals of one transaction get consecutive positions, in the order it published them. An
 * id already in the log (possible only when a signal with that id was sequenced between the
 * publisher's check and its insert) is not inserted again: that signal was already published, so it
 * is dropped from staging with an ERROR naming it.
 */
final class PendingMover {

    private static final Logger log = LoggerFactory.getLogger(PendingMover.class);

    /** A staged row as it went into the log. */
    record Moved(String signalId, long position, Instant recordedAt) {
    }

    /** What one step moved: the rows it read from staging, and what went into the log, by transaction key in position order. */
    record Step(int staged, Map<Long, List<Moved>> byTransaction) {
    }

    /** Where a staged row is in staging order, its bus, its transaction's key and its envelope's length in bytes. */
    record StagedKey(long seq, String bus, long txKey, long envelopeBytes) {
    }

    private record Staged(long seq, long txKey, String signalId, String type, Instant recordedAt, String envelope) {
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final StoreStatements sql;
    private final int batch;
    private final IdLookup ids;
    /** How the database appends rows to the log (and notifies, when the store does). */
    private final AppendStrategy append;

    PendingMover(JdbcTemplate jdbc, TransactionTemplate transactions, StoreStatements sql, int batch,
            AppendStrategy append) {
        this.ids = new IdLookup(jdbc, sql);
        this.append = append;
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.sql = sql;
        this.batch = batch;
    }

    /**
     * Moves the committed staged rows of the transactions {@code keys} of a bus into the log, in the
     * order of the keys; rows of a key that another sequencer moved meanwhile are simply not found.
     * The ids are looked up in the log only when the insert finds one there (rare: see the class
     * comment), by doing the step again.
     */
    Step move(String bus, List<Long> keys) {
        if (keys.isEmpty()) {
            return new Step(0, Map.of());
        }
        try {
            return move(bus, keys, false);
        } catch (DuplicateKeyException e) {
            log.debug("signal-bus: a signal id staged on bus '{}' is in the log already; sequencing again,"
                    + " dropping it", bus, e);
            return move(bus, keys, true);
        }
    }

    /**
     * The first {@code batch} staged rows after staging place {@code after} that were staged before
     * {@code stagedBefore}, in staging order, whatever their bus; only the backstop reads staging this
     * way ({@link StoreStatements#firstPending()}).
     */
    List<StagedKey> firstStaged(long after, Instant stagedBefore) {
        return jdbc.query(sql.firstPending(), (rs, row) -> new StagedKey(rs.getLong(1), rs.getString(2), rs.getLong(3),
                rs.getLong(4)), after, JdbcMapping.timestamp(stagedBefore), batch);
    }

    /**
     * A step: on PostgreSQL one statement that commits by itself (one round trip), elsewhere a
     * transaction that takes the rows out of staging and appends them.
     */
    private Step move(String bus, List<Long> keys, boolean checkIds) {
        if (append.movesStaged()) {
            return Objects.requireNonNull(jdbc.execute((ConnectionCallback<Step>) connection -> StandaloneCommit.run(
                    connection, () -> step(bus, append.moveStaged(connection, bus, keys, checkIds)))), "step");
        }
        return Objects.requireNonNull(transactions.execute(status -> jdbc.execute(
                (ConnectionCallback<Step>) connection -> takeAndAppend(connection, bus, keys, checkIds))), "step");
    }

    private Step takeAndAppend(Connection connection, String bus, List<Long> keys, boolean checkIds)
            throws SQLException {
        List<Staged> staged = take(bus, keys);
        Map<String, Long> inLog = checkIds && !staged.isEmpty()
                ? ids.inLog(bus, staged.stream().map(Staged::signalId).toList()) : Map.of();
        var byTransaction = new LinkedHashMap<Long, List<Staged>>();
        keys.forEach(key -> byTransaction.put(key, new ArrayList<>()));
        for (Staged row : staged) {
            if (inLog.containsKey(row.signalId())) {
                dropped(bus, row.signalId(), inLog.get(row.signalId()));
            } else {
                byTransaction.computeIfAbsent(row.txKey(), key -> new ArrayList<>()).add(row);
            }
        }
        var rows = new ArrayList<LogRow>(staged.size());
        Instant at = null;
        for (List<Staged> transaction : byTransaction.values()) {
            for (Staged row : transaction) {
                at = LogWriter.latest(at, row.recordedAt()); // times never decrease along the log
                rows.add(new LogRow(row.signalId(), row.type(), row.envelope(), at));
            }
        }
        var moved = new LinkedHashMap<Long, List<Moved>>();
        if (rows.isEmpty()) {
            return new Step(staged.size(), moved);
        }
        LogHead before = append.append(connection, bus, rows); // holds the head row lock until commit
        int index = 0;
        for (Map.Entry<Long, List<Staged>> transaction : byTransaction.entrySet()) {
            var signals = new ArrayList<Moved>(transaction.getValue().size());
            for (int i = 0; i < transaction.getValue().size(); i++, index++) {
                LogRow row = rows.get(index);
                signals.add(new Moved(row.signalId(), before.position() + 1 + index,
                        LogWriter.latest(before.recordedAt(), row.recordedAt())));
            }
            if (!signals.isEmpty()) {
                moved.put(transaction.getKey(), signals);
            }
        }
        return new Step(staged.size(), moved);
    }

    /** The step {@link AppendStrategy#moveStaged} made, by transaction key in position order. */
    private Step step(String bus, List<AppendStrategy.StagedMove> rows) {
        var moved = new LinkedHashMap<Long, List<Moved>>();
        var dropped = new ArrayList<String>();
        for (AppendStrategy.StagedMove row : rows) {
            if (row.position() == 0) {
                dropped.add(row.signalId());
            } else {
                moved.computeIfAbsent(row.txKey(), key -> new ArrayList<>()).add(new Moved(row.signalId(),
                        row.position(), Objects.requireNonNull(row.recordedAt(), "recorded_at")));
            }
        }
        if (!dropped.isEmpty()) {
            Map<String, Long> inLog = ids.inLog(bus, dropped);
            dropped.forEach(id -> dropped(bus, id, inLog.get(id)));
        }
        return new Step(rows.size(), moved);
    }

    private static void dropped(String bus, String signalId, @Nullable Long position) {
        log.error("signal-bus: signal id '{}' was published to bus '{}' in a transaction while it was already in the"
                + " log at position {}; the later copy is dropped", signalId, bus, position);
    }

    /**
     * Deletes the staged rows of the transactions {@code keys} of the bus and returns them in staging
     * order. Committed transactions only: a key is known once its transaction committed, or read
     * from committed rows, all of whose transaction is visible at once.
     */
    private List<Staged> take(String bus, List<Long> keys) {
        var staged = new ArrayList<Staged>();
        RowCallbackHandler collect = rs -> {
            staged.add(new Staged(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                    JdbcMapping.instant(rs, 5), rs.getString(6)));
        };
        for (int from = 0; from < keys.size(); from += 100) {
            List<Long> chunk = keys.subList(from, Math.min(from + 100, keys.size()));
            var parameters = new ArrayList<Object>(chunk.size() + 1);
            parameters.add(bus);
            parameters.addAll(chunk);
            jdbc.query(sql.takePending(chunk.size()), collect, parameters.toArray());
        }
        staged.sort(Comparator.comparingLong(Staged::seq));
        return staged;
    }
}
