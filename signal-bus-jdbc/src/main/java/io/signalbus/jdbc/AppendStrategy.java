package io.signalbus.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

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
}
