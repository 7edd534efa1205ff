package io.signalbus.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Work that commits as a whole on a connection outside any transaction, written as a single
 * statement where it can be: in auto-commit mode (the pool's usual setting) the statement commits
 * by itself, in the same round trip; on a connection the application's pool hands out with
 * auto-commit off, it is committed (or, when it fails, rolled back) explicitly.
 */
final class StandaloneCommit {

    /** The work: statements on the connection, without committing. */
    interface Work<T> {
        T run() throws SQLException;
    }

    private StandaloneCommit() {
    }

    static <T> T run(Connection connection, Work<T> work) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        try {
            T result = work.run();
            if (!autoCommit) {
                connection.commit();
            }
            return result;
        } catch (SQLException | RuntimeException e) {
            if (!autoCommit) {
                try {
                    connection.rollback();
                } catch (SQLException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                }
            }
            throw e;
        }
    }
}
