package io.signalbus.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * How one database moves a bus's head and inserts the rows below it, the hot path of every
 * publish; one implementation per database, so that {@link LogWriter} never asks which database it
 * writes to. The head row's lock, taken by the move, serialises appends to a bus until commit.
 */
interface AppendStrategy {

    /**
     * Appends the rows of one bus, in position order, on {@code connection} in its current
     * transaction (creating the bus's head row if it has none); returns where the head was.
     */
    LogHead append(Connection connection, String bus, List<LogRow> rows) throws SQLException;

    /**
     * Whether {@link #append} writes {@code rows} rows carrying {@code envelopeChars} characters of
     * envelopes in a single statement, which in auto-commit mode commits by itself: a group that fits
     * then needs no transaction, one round trip, and holds the head row lock the shortest time.
     */
    boolean appendsInOneStatement(int rows, long envelopeChars);

    /**
     * A staged row as {@link #moveStaged} moved it: its transaction's key, its id, and its position
     * and time in the log (0 and null when it was dropped because its id was in the log already).
     */
    record StagedMove(long txKey, String signalId, long position, @Nullable Instant recordedAt) {
    }

    /** Whether {@link #moveStaged} moves staged rows in one statement here; else the mover takes them and appends. */
    default boolean movesStaged() {
        return false;
    }

    /**
     * Moves the committed staged rows of the transactions {@code keys} of a bus into the log in one
     * statement, on {@code connection} (creating the bus's head row if it has none), the way
     * {@link PendingMover} does it in two; in auto-commit mode it commits by itself. Returns every
     * row it took out of staging, in position order, the dropped ones (with {@code checkIds}, those
     * whose id is in the log; without, such an id fails the statement) last. Only where
     * {@link #movesStaged()}.
     */
    default List<StagedMove> moveStaged(Connection connection, String bus, List<Long> keys, boolean checkIds)
            throws SQLException {
        throw new UnsupportedOperationException("this database moves staged rows in two statements");
    }
}
