package io.signalbus.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Whether a session of another process (or another store of this one) listens on
 * {@link BusNotifications#CHANNEL}, so that a store notifies only when someone can hear it: in an
 * application that runs as one instance, a notification a step served no one and cost a lone
 * transactional publisher about a fifth of its rate (docs/benchmarks.md).
 *
 * <p>PostgreSQL does not list a channel's listeners, so every listening session also holds a shared
 * advisory lock, {@code pg_advisory_lock_shared(}{@value #LOCK_CLASS}{@code , }{@value #LOCK_OBJECT}
 * {@code )}, which {@code pg_locks} shows to every session and which ends with the session, even when
 * its process is killed. A session that starts listening announces itself on the channel (a tagged
 * payload with no bus name), so the others learn of it at once; one that leaves is noticed at the
 * next {@linkplain #othersListen check}. Whatever cannot be known (the check failed, this store's own
 * listener is not connected) counts as "someone listens": a needless notification costs a little, a
 * missing one delays delivery to the other process's next poll.
 */
final class ListenerPresence {

    /** The advisory lock's first key: "sigb" in ASCII. */
    static final int LOCK_CLASS = 0x73696762;

    /** The advisory lock's second key: listeners on {@link BusNotifications#CHANNEL}. */
    static final int LOCK_OBJECT = 1;

    private static final String JOIN = "SELECT pg_advisory_lock_shared(%d, %d)".formatted(LOCK_CLASS, LOCK_OBJECT);

    /** The channel is a constant; LISTEN takes no parameters. */
    private static final String LISTEN = "LISTEN " + BusNotifications.CHANNEL;

    private static final String UNLISTEN = "UNLISTEN " + BusNotifications.CHANNEL;

    private static final String LEAVE = "SELECT pg_advisory_unlock_shared(%d, %d)".formatted(LOCK_CLASS, LOCK_OBJECT);

    /** Advisory locks of two int keys show their keys as classid and objid, with objsubid 2. */
    private static final String OTHERS = """
            SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid = %d AND objid = %d
            AND objsubid = 2 AND pid <> pg_backend_pid()
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))"""
            .formatted(LOCK_CLASS, LOCK_OBJECT);

    /** A check that takes longer than this fails, and the listener reconnects. */
    private static final int CHECK_TIMEOUT_SECONDS = 5;

    private ListenerPresence() {
    }

    /**
     * Marks {@code connection}'s session as listening, for as long as it lives or until {@link #leave},
     * and listens on the channel.
     */
    static void join(Connection connection) throws SQLException {
        execute(connection, JOIN);
        execute(connection, LISTEN);
    }

    /** Whether a session other than {@code connection}'s has {@linkplain #join joined}. */
    static boolean othersListen(Connection connection) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(OTHERS)) {
            ps.setQueryTimeout(CHECK_TIMEOUT_SECONDS);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /** Ends what {@link #join} started, before the connection goes back to its pool. */
    static void leave(Connection connection) throws SQLException {
        execute(connection, UNLISTEN);
        execute(connection, LEAVE);
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
