package io.signalbus.jdbc;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the engine of a bus whose log grew without a hand-on from this store: signals another
 * process appended (learnt from PostgreSQL notifications, when the store {@linkplain #listen
 * listens}), or signals this store's sequencer moved for no local caller. The listeners are those
 * registered through {@link JdbcSignalStore#onAppendedElsewhere}; one per bus, so the list is as
 * long as the buses on the store.
 *
 * <p>A store that notifies sends {@link #payload(String) its tag and the bus} on {@link #CHANNEL}
 * when an append or a sequencing step commits; a listening store ignores its own notifications (it
 * hands its signals on itself). A payload without a tag is taken as a bus name, so
 * {@code NOTIFY signal_bus, 'orders'} from anywhere wakes the subscriptions of bus {@code orders}.
 * A tagged payload without a bus name announces a listener that joined ({@link ListenerPresence}):
 * a listening store notifies only while another session may listen ({@link #worthSending}).
 */
final class BusNotifications implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BusNotifications.class);

    /** The PostgreSQL notification channel of every store. */
    static final String CHANNEL = "signal_bus";

    /** Length of a store's tag, which precedes the bus name in a payload after {@link #SEPARATOR}. */
    private static final int TAG_LENGTH = 12;

    private static final char SEPARATOR = '/';

    private final String tag = UUID.randomUUID().toString().replace("-", "").substring(0, TAG_LENGTH);
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private volatile @Nullable PostgresListener listening;

    /** Adds a listener told the names of buses appended elsewhere; returns what removes it. */
    Runnable register(Consumer<String> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Tells every listener that {@code bus}'s log grew elsewhere; a failing listener is logged. */
    void appendedElsewhere(String bus) {
        for (Consumer<String> listener : listeners) {
            try {
                listener.accept(bus);
            } catch (RuntimeException e) {
                log.warn("signal-bus: a listener for signals appended elsewhere to bus '{}' failed", bus, e);
            }
        }
    }

    /** The payload this store notifies for {@code bus}: its tag, then the bus name. */
    String payload(String bus) {
        return tag + SEPARATOR + bus;
    }

    /**
     * Whether a notification may reach another session: always, unless this store listens and knows
     * no other session does (a store that notifies listens too).
     */
    boolean worthSending() {
        PostgresListener listener = listening;
        return listener == null || listener.othersMayListen();
    }

    /**
     * A received payload: tells the listeners of its bus unless this store sent it; an announcement
     * of another listener tells this store's listener.
     */
    void received(String payload) {
        if (payload.length() >= TAG_LENGTH + 1 && payload.charAt(TAG_LENGTH) == SEPARATOR) {
            if (payload.startsWith(tag)) {
                return;
            }
            String bus = payload.substring(TAG_LENGTH + 1);
            PostgresListener listener = listening;
            if (!bus.isEmpty()) {
                appendedElsewhere(bus);
            } else if (listener != null) {
                listener.othersJoined();
            }
        } else if (!payload.isEmpty()) {
            appendedElsewhere(payload);
        }
    }

    /**
     * Starts listening on {@link #CHANNEL} on a connection of its own from {@code dataSource},
     * reconnecting after at most {@code maxBackoff} when it breaks.
     */
    synchronized void listen(DataSource dataSource, Duration maxBackoff) {
        if (listening == null) {
            PostgresListener listener = new PostgresListener(dataSource, this::received, payload(""), maxBackoff);
            listening = listener;
            listener.start();
        }
    }

    /** Whether the listening connection is open and listening now (for tests). */
    boolean isListening() {
        PostgresListener listener = listening;
        return listener != null && listener.isListening();
    }

    /** Stops listening and closes the connection. */
    @Override
    public synchronized void close() {
        PostgresListener listener = listening;
        if (listener != null) {
            listener.close();
            listening = null;
        }
    }
}
