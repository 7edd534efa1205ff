package io.signalbus.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * One sequencing step of a bus, in one short transaction of its own: locks the head row, takes the
 * committed staged rows of whole transactions (at most those that staged the first {@code batch}
 * rows, in staging order), inserts them into the log at consecutive positions after the head,
 * deletes them from staging and moves the head. The head lock serialises this with group commit and
 * with sequencers of other processes; the rows are selected after the lock is taken, in the same
 * transaction, so two sequencers never move the same rows. Positions are only handed out to
 * committed signals, under the lock, and commit with them: a reader never finds a gap filled later.
 *
 * <p>The signals of one transaction get consecutive positions, in the order it published them;
 * transactions are ordered by their first staged row. An id already in the log (possible only when a
 * signal with that id was sequenced between the publisher's check and its insert) is not inserted
 * again: that signal was already published, so it is dropped from staging with an ERROR naming it.
 * With notifications on, a step that moved rows notifies the bus in its transaction.
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

    /** Moves one batch of a bus's committed staged rows into the log, or nothing when there are none. */
    Step move(String bus) {
        return Objects.requireNonNull(transactions.execute(status -> jdbc.execute(
                (ConnectionCallback<Step>) connection -> move(connection, bus))), "step");
    }

    private Step move(Connection connection, String bus) throws SQLException {
        LogHead head = lockHead(connection, bus);
        if (head == null) {
            LogHead.createHead(connection, bus, sql.insertHeadIfAbsent());
            head = Objects.requireNonNull(lockHead(connection, bus), "head"); // just created
        }
        List<Staged> staged = pending(bus);
        if (staged.isEmpty()) {
            return new Step(0, Map.of());
        }
        Map<String, Long> inLog = inLog(bus, staged);
        var byTransaction = new LinkedHashMap<Long, List<Staged>>(); // first appearance: ordered by first seq
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
        jdbc.batchUpdate(sql.deletePending(), staged.stream().map(row -> new Object[] {row.seq()}).toList());
        return new Step(staged.size(), moved);
    }

    /**
     * The committed staged rows of the transactions that staged the first {@code batch} rows of the
     * bus, in staging order: whole transactions, so that the signals of one become readable together
     * and stay contiguous. Two queries, not one with {@code IN (subquery)}: H2 runs that subquery
     * again for every row.
     */
    private List<Staged> pending(String bus) {
        List<Long> keys = jdbc.queryForList(sql.firstPendingKeys(), Long.class, bus, batch).stream().distinct().toList();
        var staged = new ArrayList<Staged>();
        RowCallbackHandler collect = rs -> {
            staged.add(new Staged(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                    JdbcMapping.instant(rs, 5), rs.getString(6)));
        };
        if (sql.idArrays()) {
            jdbc.query(sql.pendingOfArray(), collect, bus, keys.toArray(Long[]::new));
        } else {
            for (int from = 0; from < keys.size(); from += 100) {
                List<Long> chunk = keys.subList(from, Math.min(from + 100, keys.size()));
                var parameters = new ArrayList<Object>(chunk.size() + 1);
                parameters.add(bus);
                parameters.addAll(chunk);
                jdbc.query(sql.pendingOf(chunk.size()), collect, parameters.toArray());
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

    /** Those ids of the rows that are in the log already, with their positions; exact while the head is locked. */
    private Map<String, Long> inLog(String bus, Collection<Staged> staged) {
        return ids.inLog(bus, staged.stream().map(Staged::signalId).toList());
    }
}
