package io.signalbus.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on {@link BusNotifications#CHANNEL} on a connection of its own, taken from the store's
 * DataSource (so it holds one pooled connection for the store's lifetime), on a daemon thread that
 * polls the driver for notifications ({@link PGConnection#getNotifications(int)}) and hands each
 * payload on. On connecting it {@linkplain ListenerPresence joins} the channel's listeners and
 * announces itself; every {@link #CHECK_MILLIS} it looks whether other sessions listen, which also
 * proves the connection alive. When the connection breaks it is closed and taken again after a
 * backoff (100 ms, doubling up to the maximum); notifications sent meanwhile are lost, which only
 * delays delivery to the next poll. Needs the PostgreSQL JDBC driver behind the DataSource (through
 * {@link Connection#unwrap}); without it the store logs a warning once and relies on polling.
 */
final class PostgresListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PostgresListener.class);

    /** How long one wait for notifications lasts, and so how long {@link #close} may wait for the thread. */
    private static final int WAIT_MILLIS = 200;

    /**
     * How often the listener looks whether other sessions listen (and so whether its connection
     * lives). Arrivals are announced, so the check only finds the listeners that left (until then a
     * store notifies for no one) and announcements missed while this listener reconnected (it checks
     * when it joins, too): it can be slow, and costs each instance one read of {@code pg_locks} per
     * interval.
     */
    static final long CHECK_MILLIS = 5_000;

    private static final String ANNOUNCE = "SELECT pg_notify(?, ?)";

    private static final long FIRST_BACKOFF_MILLIS = 100;

    private final DataSource dataSource;
    private final Consumer<String> received;
    /** The payload that tells the other listeners this one joined. */
    private final String announcement;
    private final long maxBackoffMillis;
    private final Thread thread;
    private volatile boolean closed;
    private volatile boolean listening;
    /** Whether another session may listen: true unless the last check, since connecting, said none did. */
    private volatile boolean othersMayListen = true;

    PostgresListener(DataSource dataSource, Consumer<String> received, String announcement, Duration maxBackoff) {
        this.dataSource = dataSource;
        this.received = received;
        this.announcement = announcement;
        this.maxBackoffMillis = Math.max(FIRST_BACKOFF_MILLIS, maxBackoff.toMillis());
        this.thread = new Thread(this::run, "signal-bus-jdbc-listener");
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    boolean isListening() {
        return listening;
    }

    /**
     * Whether a notification may reach another session: false only while this listener is connected
     * and its last check, or an announcement since, found no other listener.
     */
    boolean othersMayListen() {
        return othersMayListen || !listening;
    }

    /** Another session announced that it listens (called on this listener's thread). */
    void othersJoined() {
        othersFound(true);
    }

    /** Records what a check or an announcement found, logging when it changes whether the store notifies. */
    private void othersFound(boolean others) {
        if (others != othersMayListen) {
            log.debug("signal-bus: {} on channel '{}'", others ? "another session listens, notifying"
                    : "no other session listens, not notifying", BusNotifications.CHANNEL);
        }
        othersMayListen = others;
    }

    private void run() {
        long backoff = FIRST_BACKOFF_MILLIS;
        while (!closed) {
            try (Connection connection = dataSource.getConnection()) {
                PGConnection postgres = connection.unwrap(PGConnection.class);
                try {
                    join(connection);
                    listening = true;
                    backoff = FIRST_BACKOFF_MILLIS;
                    log.debug("signal-bus: listening for appends of other processes on channel '{}'",
                            BusNotifications.CHANNEL);
                    receive(connection, postgres);
                } finally {
                    leave(connection); // a connection that broke has left already
                }
            } catch (SQLException | RuntimeException e) {
                listening = false;
                othersMayListen = true;
                if (closed) {
                    return;
                }
                log.warn("signal-bus: the connection listening for appends of other processes failed; subscriptions"
                        + " poll until it is back (retrying in {} ms): {}", backoff, JdbcSignalStore.message(e), e);
                pause(backoff);
                backoff = Math.min(backoff * 2, maxBackoffMillis);
            } catch (LinkageError e) {
                log.warn("signal-bus: cannot listen for appends of other processes without the PostgreSQL JDBC driver"
                        + " ({}); subscriptions poll", e.toString());
                return;
            }
        }
        listening = false;
    }

    /** Joins the listeners, listens, announces itself (all committed) and looks for the other listeners. */
    private void join(Connection connection) throws SQLException {
        ListenerPresence.join(connection);
        try (PreparedStatement ps = connection.prepareStatement(ANNOUNCE)) {
            ps.setString(1, BusNotifications.CHANNEL);
            ps.setString(2, announcement);
            ps.execute();
        }
        commitUnlessAutoCommit(connection); // LISTEN takes effect, and the announcement is sent, on commit
        othersFound(ListenerPresence.othersListen(connection));
    }

    /** Hands on notifications until closed, checking for other listeners; throws when the connection breaks. */
    private void receive(Connection connection, PGConnection postgres) throws SQLException {
        long checked = System.nanoTime();
        while (!closed) {
            PGNotification @Nullable [] notifications = postgres.getNotifications(WAIT_MILLIS);
            if (notifications != null) {
                for (PGNotification notification : notifications) {
                    received.accept(notification.getParameter());
                }
            }
            if (System.nanoTime() - checked > TimeUnit.MILLISECONDS.toNanos(CHECK_MILLIS)) {
                boolean others = ListenerPresence.othersListen(connection);
                commitUnlessAutoCommit(connection);
                othersFound(others);
                checked = System.nanoTime();
            }
        }
    }

    /**
     * Stops listening and leaves the listeners before the connection goes back to its pool, so that
     * a pooled connection never counts as a listener; a failure is only logged.
     */
    private static void leave(Connection connection) {
        try {
            ListenerPresence.leave(connection);
            commitUnlessAutoCommit(connection);
        } catch (SQLException e) {
            log.debug("signal-bus: could not stop listening before closing the connection", e);
        }
    }

    private static void commitUnlessAutoCommit(Connection connection) throws SQLException {
        if (!connection.getAutoCommit()) {
            connection.commit();
        }
    }

    private synchronized void pause(long millis) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        long left;
        while (!closed && (left = deadline - System.nanoTime()) > 0) {
            try {
                TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                return; // only close() stops the listener; it sets closed first
            }
        }
    }

    /** Stops the thread (within about {@link #WAIT_MILLIS}) and so closes the connection. */
    @Override
    public void close() {
        closed = true;
        synchronized (this) {
            notifyAll();
        }
        try {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
