package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.StartFrom;
import io.signalbus.SubscribeOptions;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A store notifies only while another session listens: alone on the database it sends nothing (an
 * outsider that listens without joining hears nothing of its appends), it learns at once of a store
 * that starts listening, and it stops once that store has left, its connection back in its pool.
 * Needs the test database to itself: a store of another process listening on it would be heard.
 */
@EnabledIfEnvironmentVariable(named = TestDatabases.POSTGRES_URL, matches = ".+")
class PostgresListenerPresenceTest {

    private final String busName = "presence-" + UUID.randomUUID().toString().substring(0, 8);
    private final Set<String> delivered = ConcurrentHashMap.newKeySet();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private JdbcSignalStore storeA;
    private SignalBus busA;
    private Connection outsider;

    @BeforeEach
    void setUp() throws SQLException {
        storeA = JdbcSignalStore.builder(TestDatabases.postgres()).build();
        toClose.add(storeA);
        busA = SignalBus.builder().store(storeA).name(busName).build();
        toClose.add(busA);
        busA.subscribe("presence.**", SubscribeOptions.persistent("on-a").startFrom(StartFrom.origin()), delivery -> {
            delivered.add(delivery.signal().id());
            delivery.ack();
        });
        outsider = TestDatabases.postgres().getConnection();
        execute(outsider, "LISTEN signal_bus");
        toClose.add(() -> {
            execute(outsider, "UNLISTEN signal_bus"); // before the connection goes back to the pool
            outsider.close();
        });
        await().atMost(Duration.ofSeconds(5)).until(storeA.notifications::isListening);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    @Test
    void aStoreAloneOnTheDatabaseSendsNoNotificationsInsideOrOutsideATransaction() throws SQLException {
        await().atMost(Duration.ofMillis(2 * PostgresListener.CHECK_MILLIS)).until(() -> !storeA.notifications.worthSending());

        publishOutsideAndInsideATransaction("alone");

        assertThat(notificationsOfThisBusUntilAMarker()).isEmpty();
    }

    @Test
    void aStoreNotifiesOnceAnotherStartsListeningAndStopsWhenItHasLeft() throws SQLException {
        await().atMost(Duration.ofMillis(2 * PostgresListener.CHECK_MILLIS)).until(() -> !storeA.notifications.worthSending());
        JdbcConnectionPool poolB = TestDatabases.newPostgresPool(5);
        JdbcSignalStore storeB = JdbcSignalStore.builder(poolB).build();
        try {
            await().atMost(Duration.ofSeconds(5)).until(storeB.notifications::isListening);
            // B announces itself when it starts listening: A need not wait for its next check
            await().atMost(Duration.ofMillis(PostgresListener.CHECK_MILLIS / 5))
                    .until(storeA.notifications::worthSending);

            publishOutsideAndInsideATransaction("heard");
            assertThat(notificationsOfThisBusUntilAMarker()).hasSize(2);
        } finally {
            storeB.close();
        }
        // B's connection stays open in its pool: only B's leaving ends its presence, seen at A's next check
        await().atMost(Duration.ofMillis(2 * PostgresListener.CHECK_MILLIS))
                .until(() -> !storeA.notifications.worthSending());
        poolB.dispose();
    }

    @Test
    void aStoreWhoseListenerIsNotConnectedNotifies() {
        JdbcSignalStore closed = JdbcSignalStore.builder(TestDatabases.postgres()).build();
        closed.close();

        assertThat(closed.notifications.isListening()).isFalse();
        assertThat(closed.notifications.worthSending()).isTrue();
    }

    /** Publishes one signal outside a transaction and one inside, and waits until A delivered both. */
    private void publishOutsideAndInsideATransaction(String prefix) {
        var transaction = new TransactionTemplate(new DataSourceTransactionManager(TestDatabases.postgres()));
        busA.publish(signal(prefix + "-outside"));
        transaction.executeWithoutResult(status -> busA.publish(signal(prefix + "-inside")));
        await().atMost(Duration.ofSeconds(10)).until(() -> delivered.containsAll(
                List.of(idOf(prefix + "-outside"), idOf(prefix + "-inside"))));
    }

    /**
     * The outsider's notifications for this bus, up to a marker it sends itself: notifications arrive
     * in commit order, so every one the appends above sent arrives before the marker.
     */
    private List<String> notificationsOfThisBusUntilAMarker() throws SQLException {
        String marker = "marker-" + UUID.randomUUID();
        execute(outsider, "NOTIFY signal_bus, '" + marker + "'");
        PGConnection postgres = outsider.unwrap(PGConnection.class);
        var ofThisBus = new ArrayList<String>();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            PGNotification[] notifications = postgres.getNotifications(200);
            for (PGNotification notification : notifications == null ? new PGNotification[0] : notifications) {
                if (notification.getParameter().equals(marker)) {
                    return ofThisBus;
                }
                if (notification.getParameter().endsWith("/" + busName)) {
                    ofThisBus.add(notification.getParameter());
                }
            }
        }
        throw new AssertionError("the marker notification never arrived");
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private Signal signal(String id) {
        return Signal.builder("presence.sent").id(idOf(id)).source("presence-test").data(Map.of("id", id)).build();
    }

    private String idOf(String id) {
        return busName + "-" + id;
    }
}
