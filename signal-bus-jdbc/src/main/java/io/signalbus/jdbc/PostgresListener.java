package io.signalbus.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
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
 * payload on. When the connection breaks it is closed and taken again after a backoff (100 ms,
 * doubling up to the maximum); notifications sent meanwhile are lost, which only delays delivery
 * to the next poll. A connection that stays silent is checked every {@link #CHECK_AFTER_MILLIS}.
 * Needs the PostgreSQL JDBC driver behind the DataSource (through {@link Connection#unwrap}); without
 * it the store logs a warning once and relies on polling.
 */
final class PostgresListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PostgresListener.class);

    /** The channel is a constant; LISTEN takes no parameters. */
    private static final String LISTEN = "LISTEN " + BusNotifications.CHANNEL;

    /** How long one wait for notifications lasts, and so how long {@link #close} may wait for the thread. */
    private static final int WAIT_MILLIS = 200;

    /** Silence after which the connection is checked. */
    private static final long CHECK_AFTER_MILLIS = 30_000;

    private static final long FIRST_BACKOFF_MILLIS = 100;

    private final DataSource dataSource;
    private final Consumer<String> received;
    private final long maxBackoffMillis;
    private final Thread thread;
    private volatile boolean closed;
    private volatile boolean listening;

    PostgresListener(DataSource dataSource, Consumer<String> received, Duration maxBackoff) {
        this.dataSource = dataSource;
        this.received = received;
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

    private void run() {
        long backoff = FIRST_BACKOFF_MILLIS;
        while (!closed) {
            try (Connection connection = dataSource.getConnection()) {
                PGConnection postgres = connection.unwrap(PGConnection.class);
                try (Statement statement = connection.createStatement()) {
                    statement.execute(LISTEN);
                }
                if (!connection.getAutoCommit()) {
                    connection.commit(); // LISTEN takes effect when its transaction commits
                }
                listening = true;
                backoff = FIRST_BACKOFF_MILLIS;
                log.debug("signal-bus: listening for appends of other processes on channel '{}'",
                        BusNotifications.CHANNEL);
                receive(connection, postgres);
            } catch (SQLException | RuntimeException e) {
                listening = false;
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

    /** Hands on notifications until closed; throws when the connection breaks. */
    private void receive(Connection connection, PGConnection postgres) throws SQLException {
        long silentSince = System.nanoTime();
        while (!closed) {
            PGNotification @Nullable [] notifications = postgres.getNotifications(WAIT_MILLIS);
            if (notifications != null && notifications.length > 0) {
                silentSince = System.nanoTime();
                for (PGNotification notification : notifications) {
                    received.accept(notification.getParameter());
                }
            } else if (System.nanoTime() - silentSince > TimeUnit.MILLISECONDS.toNanos(CHECK_AFTER_MILLIS)) {
                if (!connection.isValid(5)) {
                    throw new SQLException("the listening connection is no longer valid");
                }
                silentSince = System.nanoTime();
            }
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
