package io.signalbus.jdbc;

import io.signalbus.RecordedSignal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.springframework.jdbc.core.ConnectionCallback;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Appends groups of {@link AppendRequest}s to the log. Positions come from the bus's head row
 * ({@code position = position + n}): its row lock is held until commit, so appends to one bus commit
 * one after another in position order and no reader can see a position before every lower one is
 * committed. A rollback undoes the increment, so no position is lost. The head row also keeps the
 * time of the last append, and no row is recorded earlier: callers take their time before they
 * queue for the lock, so without it two racing appends could store times out of position order, and
 * a search of the log by time ({@code StartFrom.at}) would skip a signal.
 *
 * <p>How the head moves and the rows go in is the database's {@link AppendStrategy}; this class
 * orders the rows, gives them their times and positions, and chooses how a group commits.
 */
final class LogWriter {

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;
    private final AppendStrategy strategy;

    LogWriter(JdbcTemplate jdbc, TransactionTemplate transactions, AppendStrategy strategy) {
        this.jdbc = jdbc;
        this.transactions = transactions;
        this.strategy = strategy;
    }

    /** Writes every request of the group in the current transaction; the results are in group order. */
    List<List<RecordedSignal>> write(List<AppendRequest> group) {
        // heads are locked in bus-name order, so two groups never wait for each other in a cycle
        var byBus = new TreeMap<String, List<LogRow>>();
        for (AppendRequest request : group) {
            addRows(byBus.computeIfAbsent(request.bus(), bus -> new ArrayList<>()), request);
        }
        var heads = new HashMap<String, LogHead>();
        jdbc.execute((ConnectionCallback<Map<String, LogHead>>) connection -> {
            for (Map.Entry<String, List<LogRow>> bus : byBus.entrySet()) {
                heads.put(bus.getKey(), strategy.append(connection, bus.getKey(), bus.getValue()));
            }
            return heads;
        });
        return results(group, heads);
    }

    /**
     * Writes and commits a group outside any transaction, all or nothing: as one statement that
     * commits by itself where the strategy and the group allow (one round trip, the shortest hold of
     * the head row lock), else in a transaction.
     */
    List<List<RecordedSignal>> commit(List<AppendRequest> group) {
        if (fitsOneStatement(group)) {
            return jdbc.execute((ConnectionCallback<List<List<RecordedSignal>>>) connection ->
                    commitInOneStatement(connection, group));
        }
        return transactions.execute(status -> write(group));
    }

    /** Whether the strategy writes the group in one statement: one bus, rows for one statement. */
    private boolean fitsOneStatement(List<AppendRequest> group) {
        String bus = group.get(0).bus();
        int rows = 0;
        long chars = 0;
        for (AppendRequest request : group) {
            if (!request.bus().equals(bus)) {
                return false;
            }
            rows += request.size();
            chars += request.envelopeChars();
        }
        return strategy.appendsInOneStatement(rows, chars);
    }

    /**
     * Writes a group that {@link #fitsOneStatement fits one statement} on a connection outside any
     * transaction and commits it: by itself in auto-commit mode (one round trip), else explicitly.
     */
    private List<List<RecordedSignal>> commitInOneStatement(Connection connection, List<AppendRequest> group)
            throws SQLException {
        String bus = group.get(0).bus();
        var rows = new ArrayList<LogRow>();
        group.forEach(request -> addRows(rows, request));
        return StandaloneCommit.run(connection,
                () -> results(group, new HashMap<>(Map.of(bus, strategy.append(connection, bus, rows)))));
    }

    /** Adds the rows of a request to those of its bus, each at least as late as the rows before it. */
    private static void addRows(List<LogRow> rows, AppendRequest request) {
        Instant at = latest(rows.isEmpty() ? null : rows.get(rows.size() - 1).recordedAt(), request.recordedAt());
        for (int i = 0; i < request.size(); i++) {
            rows.add(LogRow.of(request, i, at));
        }
    }

    /** The later of two times; {@code earlier} is null before a bus's first append. */
    static Instant latest(@Nullable Instant earlier, Instant later) {
        return earlier != null && earlier.isAfter(later) ? earlier : later;
    }

    /** The recorded signals of each request, in group order, from where each bus's head was before. */
    private static List<List<RecordedSignal>> results(List<AppendRequest> group, Map<String, LogHead> heads) {
        var results = new ArrayList<List<RecordedSignal>>(group.size());
        for (AppendRequest request : group) {
            LogHead before = Objects.requireNonNull(heads.get(request.bus()), "head"); // every bus of the group has one
            Instant at = latest(before.recordedAt(), request.recordedAt());
            var recorded = new ArrayList<RecordedSignal>(request.size());
            for (int i = 0; i < request.size(); i++) {
                recorded.add(new RecordedSignal(before.position() + 1 + i, request.signals().get(i), at));
            }
            heads.put(request.bus(), new LogHead(before.position() + request.size(), at));
            results.add(recorded);
        }
        return results;
    }
}
