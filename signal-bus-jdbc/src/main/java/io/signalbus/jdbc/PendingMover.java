package io.signalbus.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
 * One sequencing step of a bus, in one short transaction of its own: locks the head row, takes the
 * committed staged rows of some whole transactions out of staging (deleting them), inserts them into
 * the log at consecutive positions after the head and moves the head. The transactions are those
 * whose keys the caller names (the local ones it saw commit, or the oldest ones staged), in that
 * order. The head lock
 * serialises this with group commit and with sequencers of other processes; the rows are taken after
 * the lock, in the same transaction, so two sequencers never move the same rows. Positions are only
 * handed out to committed signals, under the lock, and commit with them: a reader never finds a gap
 * filled later.
 *
 * <p>The signals of one transaction get consecutive positions, in the order it published them. An
 * id already in the log (possible only when a signal with that id was sequenced between the
 * publisher's check and its insert) is not inserted again: that signal was already published, so it
 * is dropped from staging with an ERROR naming it. With notifications on, a step that moved rows
 * notifies the bus in its transaction.
 */
final class PendingMover {

    private static final Logger log = LoggerFactory.getLogger(PendingMover.class);

    /** A staged row as it went into the log. */
    record Moved(String signalId, long position, Instant recordedAt) {
    }

    /** What one step moved: the rows it read from staging, and what went into the log, by transaction key in position order. */
    record Step(int staged, Map<Long, List<Moved>> byTransaction) {
    }

    private record Staged(long seq, long txKey, String signalId, String type, Instant recordedAt, String envelope) {
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final StoreStatements sql;
    private final int batch;
    private final IdLookup ids;
    /** Notifies other processes of a step that moved rows, in its transaction; null without notifications. */
    private final @Nullable BusNotifications notifications;

    PendingMover(JdbcTemplate jdbc, TransactionTemplate transactions, StoreStatements sql, int batch,
            @Nullable BusNotifications notifications) {
        this.ids = new IdLookup(jdbc, sql);
        this.notifications = notifications;
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
        try {
            return move(bus, keys, false);
        } catch (DuplicateKeyException e) {
            log.debug("signal-bus: a signal id staged on bus '{}' is in the log already; sequencing again,"
                    + " dropping it", bus, e);
            return move(bus, keys, true);
        }
    }

    /**
     * The keys of the transactions that staged the oldest {@code batch} rows of a bus, in staging
     * order; it walks the staging table (with its deleted rows not yet vacuumed), so only the backstop
     * calls it.
     */
    List<Long> oldestKeys(String bus) {
        return jdbc.queryForList(sql.firstPendingKeys(), Long.class, bus, batch).stream().distinct().toList();
    }

    private Step move(String bus, List<Long> keys, boolean checkIds) {
        return Objects.requireNonNull(transactions.execute(status -> jdbc.execute(
                (ConnectionCallback<Step>) connection -> move(connection, bus, keys, checkIds))), "step");
    }

    private Step move(Connection connection, String bus, List<Long> keys, boolean checkIds) throws SQLException {
        String customPlans = sql.customPlans();
        if (customPlans != null) {
            jdbc.execute(customPlans);
        }
        LogHead head = lockHead(connection, bus);
        if (head == null) {
            LogHead.createHead(connection, bus, sql.insertHeadIfAbsent());
            head = Objects.requireNonNull(lockHead(connection, bus), "head"); // just created
        }
        List<Staged> staged = keys.isEmpty() ? List.of() : take(bus, keys);
        if (staged.isEmpty()) {
            return new Step(0, Map.of());
        }
        Map<String, Long> inLog = checkIds ? ids.inLog(bus, staged.stream().map(Staged::signalId).toList()) : Map.of();
        var byTransaction = new LinkedHashMap<Long, List<Staged>>();
        keys.forEach(key -> byTransaction.put(key, new ArrayList<>()));
        for (Staged row : staged) {
            if (inLog.containsKey(row.signalId())) {
                log.error("signal-bus: signal id '{}' was published to bus '{}' in a transaction while it was already"
                        + " in the log at position {}; the later copy is dropped", row.signalId(), bus,
                        inLog.get(row.signalId()));
            } else {
                byTransaction.computeIfAbsent(row.txKey(), key -> new ArrayList<>()).add(row);
            }
        }
        long position = head.position();
        Instant at = head.recordedAt();
        var moved = new LinkedHashMap<Long, List<Moved>>();
        var rows = new ArrayList<Object[]>();
        for (Map.Entry<Long, List<Staged>> transaction : byTransaction.entrySet()) {
            if (transaction.getValue().isEmpty()) {
                continue;
            }
            var signals = new ArrayList<Moved>(transaction.getValue().size());
            for (Staged row : transaction.getValue()) {
                at = LogWriter.latest(at, row.recordedAt()); // times never decrease along the log
                position++;
                signals.add(new Moved(row.signalId(), position, at));
                rows.add(new Object[] {bus, position, row.signalId(), row.type(), JdbcMapping.timestamp(at),
                        row.envelope()});
            }
            moved.put(transaction.getKey(), signals);
        }
        if (!rows.isEmpty()) {
            jdbc.batchUpdate(sql.insertLogRow(), rows);
            jdbc.update(sql.setHead(), position, JdbcMapping.timestamp(at), bus);
            String notifyBus = sql.notifyBus();
            if (notifications != null && notifyBus != null) { // sent when this step commits
                jdbc.query(notifyBus, (RowCallbackHandler) rs -> { }, BusNotifications.CHANNEL,
                        notifications.payload(bus));
            }
        }
        return new Step(staged.size(), moved);
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
        String array = sql.takePendingArray();
        if (array != null) {
            jdbc.query(array, collect, bus, keys.toArray(Long[]::new));
        } else {
            for (int from = 0; from < keys.size(); from += 100) {
                List<Long> chunk = keys.subList(from, Math.min(from + 100, keys.size()));
                var parameters = new ArrayList<Object>(chunk.size() + 1);
                parameters.add(bus);
                parameters.addAll(chunk);
                jdbc.query(sql.takePending(chunk.size()), collect, parameters.toArray());
            }
        }
        staged.sort(Comparator.comparingLong(Staged::seq));
        return staged;
    }

    private @Nullable LogHead lockHead(Connection connection, String bus) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(sql.lockHead())) {
            ps.setString(1, bus);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new LogHead(rs.getLong(1), JdbcMapping.nullableInstant(rs, 2)) : null;
            }
        }
    }
}
