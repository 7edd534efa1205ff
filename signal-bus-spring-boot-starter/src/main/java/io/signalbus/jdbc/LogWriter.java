package io.signalbus.jdbc;

import io.signalbus.RecordedSignal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.BatchPreparedStatementSetter;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Appends groups of {@link AppendRequest}s to the log inside the current transaction. Positions come
 * from the bus's head row ({@code position = position + n}): its row lock is held until commit, so
 * appends to one bus commit one after another in position order and no reader can see a position
 * before every lower one is committed. A rollback undoes the increment, so no position is lost.
 *
 * <p>Rows go in multi-row INSERTs of {@link #CHUNKS} sizes: full chunks of the largest size, then the
 * rest greedily by the other sizes, so a group takes few round trips and each connection prepares at most
 * a handful of distinct statements. Where the dialect can move the head and insert in one statement,
 * each chunk does both at once, saving a round trip while the head row is locked.
 */
final class LogWriter {

    // 100, the guide's batch size, gets a statement of its own: one round trip instead of 64 + 32 + 4
    private static final int[] CHUNKS = {128, 100, 64, 32, 16, 8, 4, 2, 1};

    private final JdbcTemplate jdbc;
    private final JdbcDialect dialect;
    private final Map<Integer, String> inserts = new HashMap<>();
    private final Map<Integer, String> allocatingInserts = new HashMap<>();

    LogWriter(JdbcTemplate jdbc, JdbcDialect dialect) {
        this.jdbc = jdbc;
        this.dialect = dialect;
        for (int chunk : CHUNKS) {
            inserts.put(chunk, "INSERT INTO signal_bus_log (bus, position, signal_id, type, recorded_at, envelope) VALUES "
                    + String.join(", ", Collections.nCopies(chunk, "(?, ?, ?, ?, ?, ?)")));
            String allocating = dialect.allocateAndInsertLog(chunk);
            if (allocating != null) {
                allocatingInserts.put(chunk, allocating);
            }
        }
    }

    /** Writes every request of the group in the current transaction; the results are in group order. */
    List<List<RecordedSignal>> write(List<AppendRequest> group) {
        // heads are locked in bus-name order, so two groups never wait for each other in a cycle
        var byBus = new TreeMap<String, List<Row>>();
        for (AppendRequest request : group) {
            List<Row> rows = byBus.computeIfAbsent(request.bus(), bus -> new ArrayList<>());
            for (int i = 0; i < request.size(); i++) {
                rows.add(new Row(request, i));
            }
        }
        var firstPositions = new HashMap<String, Long>();
        byBus.forEach((bus, rows) -> firstPositions.put(bus, append(bus, rows)));

        var results = new ArrayList<List<RecordedSignal>>(group.size());
        for (AppendRequest request : group) {
            long first = firstPositions.get(request.bus());
            var recorded = new ArrayList<RecordedSignal>(request.size());
            for (int i = 0; i < request.size(); i++) {
                recorded.add(new RecordedSignal(first + i, request.signals().get(i), request.recordedAt()));
            }
            firstPositions.put(request.bus(), first + request.size());
            results.add(recorded);
        }
        return results;
    }

    /** Appends the rows of one bus in order; returns the position of the first. */
    private long append(String bus, List<Row> rows) {
        if (allocatingInserts.isEmpty()) {
            long first = allocate(bus, rows.size()) - rows.size() + 1;
            insert(rows, first);
            return first;
        }
        long first = -1;
        int offset = 0;
        for (int chunk : chunkSizes(rows.size())) {
            List<Row> slice = rows.subList(offset, offset + chunk);
            long head = allocateAndInsert(bus, slice);
            if (first < 0) {
                first = head - chunk + 1;
            }
            offset += chunk;
        }
        return first;
    }

    private long allocateAndInsert(String bus, List<Row> rows) {
        String sql = allocatingInserts.get(rows.size());
        Long head = jdbc.query(sql, (PreparedStatement ps) -> bindAllocating(ps, bus, rows),
                rs -> rs.next() ? rs.getLong(1) : null);
        if (head == null) {
            createHead(bus);
            head = jdbc.query(sql, (PreparedStatement ps) -> bindAllocating(ps, bus, rows),
                    rs -> rs.next() ? rs.getLong(1) : null);
        }
        return requireHead(bus, head);
    }

    /** Moves the head of {@code bus} by {@code count}; returns the new head. */
    private long allocate(String bus, long count) {
        Long head = incrementHead(bus, count);
        if (head == null) {
            createHead(bus);
            head = incrementHead(bus, count);
        }
        return requireHead(bus, head);
    }

    private @Nullable Long incrementHead(String bus, long count) {
        return jdbc.query(dialect.incrementHead, rs -> rs.next() ? rs.getLong(1) : null, count, bus);
    }

    private void createHead(String bus) {
        try {
            jdbc.update(dialect.insertHeadIfAbsent, bus);
        } catch (DuplicateKeyException raced) {
            // another transaction created it first and has committed, so the retry finds it
        }
    }

    private static long requireHead(String bus, @Nullable Long head) {
        if (head == null) {
            throw new IllegalStateException("the head row of bus '" + bus + "' is missing after it was created");
        }
        return head;
    }

    private void insert(List<Row> rows, long firstPosition) {
        int largest = CHUNKS[0];
        int fullChunks = rows.size() / largest;
        if (fullChunks > 0) {
            jdbc.batchUpdate(inserts.get(largest), new BatchPreparedStatementSetter() {
                @Override
                public void setValues(PreparedStatement ps, int i) throws SQLException {
                    bind(ps, rows.subList(i * largest, (i + 1) * largest), firstPosition + (long) i * largest);
                }

                @Override
                public int getBatchSize() {
                    return fullChunks;
                }
            });
        }
        int offset = fullChunks * largest;
        for (int chunk : chunkSizes(rows.size() - offset)) {
            List<Row> slice = rows.subList(offset, offset + chunk);
            long position = firstPosition + offset;
            jdbc.update(inserts.get(chunk), (PreparedStatement ps) -> bind(ps, slice, position));
            offset += chunk;
        }
    }

    /** Chunk sizes that add up to {@code count}: full largest chunks, then its binary digits. */
    private static List<Integer> chunkSizes(int count) {
        var sizes = new ArrayList<Integer>();
        int left = count;
        for (; left >= CHUNKS[0]; left -= CHUNKS[0]) {
            sizes.add(CHUNKS[0]);
        }
        for (int chunk : CHUNKS) {
            if (left >= chunk) {
                sizes.add(chunk);
                left -= chunk;
            }
        }
        return sizes;
    }

    /** Parameters of the plain inserts: bus, position, id, type, recorded at, envelope per row. */
    private static void bind(PreparedStatement ps, List<Row> rows, long firstPosition) throws SQLException {
        int p = 1;
        long position = firstPosition;
        for (Row row : rows) {
            ps.setString(p++, row.request().bus());
            ps.setLong(p++, position++);
            p = bindSignal(ps, p, row);
        }
    }

    /**
     * Parameters of {@link JdbcDialect#allocateAndInsertLog}: count, bus, bus, count, then per row its
     * 1-based place in the chunk, id, type, recorded at, envelope.
     */
    private static void bindAllocating(PreparedStatement ps, String bus, List<Row> rows) throws SQLException {
        int p = 1;
        ps.setLong(p++, rows.size());
        ps.setString(p++, bus);
        ps.setString(p++, bus);
        ps.setLong(p++, rows.size());
        int place = 1;
        for (Row row : rows) {
            ps.setInt(p++, place++);
            p = bindSignal(ps, p, row);
        }
    }

    private static int bindSignal(PreparedStatement ps, int first, Row row) throws SQLException {
        int p = first;
        ps.setString(p++, row.request().signals().get(row.index()).id());
        ps.setString(p++, row.request().signals().get(row.index()).type());
        ps.setObject(p++, OffsetDateTime.ofInstant(row.request().recordedAt(), ZoneOffset.UTC));
        ps.setString(p++, row.request().envelopes().get(row.index()));
        return p;
    }

    /** The {@code index}-th signal of a request. */
    private record Row(AppendRequest request, int index) {
    }
}
