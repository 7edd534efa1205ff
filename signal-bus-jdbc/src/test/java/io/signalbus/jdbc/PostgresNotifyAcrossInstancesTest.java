package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.StartFrom;
import io.signalbus.SubscribeOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Two "instances" (stores on separate DataSources) on one PostgreSQL database: a signal published on
 * A reaches a persistent subscription served on B at once through LISTEN/NOTIFY, not at B's poll;
 * with notifications off on B, within B's poll interval.
 */
@EnabledIfEnvironmentVariable(named = TestDatabases.POSTGRES_URL, matches = ".+")
class PostgresNotifyAcrossInstancesTest {

    private static final Duration LONG_POLL = Duration.ofSeconds(10);

    private final String busName = "notify-" + UUID.randomUUID().toString().substring(0, 8);
    private final String applicationName = "signal-bus-b-" + UUID.randomUUID().toString().substring(0, 8);
    private final Map<String, Long> arrivedNanos = new ConcurrentHashMap<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private HikariDataSource poolB;
    private JdbcSignalStore storeA;

    @AfterEach
    void tearDown() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        if (poolB != null) {
            poolB.close();
        }
    }

    @Test
    void aSignalPublishedOnAReachesASubscriptionServedOnBWithoutWaitingForThePoll() {
        SignalBus a = instanceA();
        JdbcSignalStore storeB = storeB(true, LONG_POLL);
        subscribeOnB(storeB, LONG_POLL);
        awaitAKnowsBListens(storeB);
        var transaction = new TransactionTemplate(new DataSourceTransactionManager(TestDatabases.postgres()));

        long outside = latency(a, "outside", () -> a.publish(signal("outside")));
        long inside = latency(a, "inside", () -> transaction.executeWithoutResult(status -> a.publish(signal("inside"))));
        System.out.printf("signal-bus: A -> B with NOTIFY (poll interval %d s): outside a transaction %d ms, inside"
                + " one %d ms%n", LONG_POLL.toSeconds(), outside, inside);
        assertThat(outside).isLessThan(1000);
        assertThat(inside).isLessThan(1000);
    }

    @Test
    void theListenerReconnectsWhenItsConnectionBreaks() {
        SignalBus a = instanceA();
        JdbcSignalStore storeB = storeB(true, LONG_POLL);
        subscribeOnB(storeB, LONG_POLL);
        await().atMost(Duration.ofSeconds(5)).until(storeB.notifications::isListening);

        var admin = new JdbcTemplate(TestDatabases.postgres());
        List<Integer> broken = listeningSessionsOfB(admin);
        assertThat(broken).hasSize(1);
        admin.queryForList("SELECT pg_terminate_backend(?)", broken.get(0));
        // the listener is back on a new session (a wait for "not listening" could miss its 100 ms gap)
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            List<Integer> now = listeningSessionsOfB(admin);
            return now.size() == 1 && !now.equals(broken) && storeB.notifications.isListening();
        });
        awaitAKnowsBListens(storeB);

        long afterReconnect = latency(a, "after-reconnect", () -> a.publish(signal("after-reconnect")));
        System.out.printf("signal-bus: A -> B with NOTIFY after the listener reconnected: %d ms%n", afterReconnect);
        assertThat(afterReconnect).isLessThan(1000);
    }

    @Test
    void withNotificationsOffOnBItArrivesWithinThePollInterval() {
        Duration poll = Duration.ofMillis(300);
        SignalBus a = instanceA();
        JdbcSignalStore storeB = storeB(false, poll);
        subscribeOnB(storeB, poll);
        var transaction = new TransactionTemplate(new DataSourceTransactionManager(TestDatabases.postgres()));

        long outside = latency(a, "outside", () -> a.publish(signal("outside")));
        long inside = latency(a, "inside", () -> transaction.executeWithoutResult(status -> a.publish(signal("inside"))));
        System.out.printf("signal-bus: A -> B polling only (poll interval %d ms): outside a transaction %d ms, inside"
                + " one %d ms%n", poll.toMillis(), outside, inside);
        assertThat(storeB.notifications.isListening()).isFalse();
        // within the poll interval, plus one read and a scheduling margin on a loaded machine
        assertThat(outside).isLessThan(poll.toMillis() + 400);
        assertThat(inside).isLessThan(poll.toMillis() + 400);
    }

    /** B listens, and A has heard it announce itself (A notifies only while someone listens). */
    /** B's listening sessions: those of B's pool holding the listeners' advisory lock. */
    private List<Integer> listeningSessionsOfB(JdbcTemplate admin) {
        return admin.queryForList("SELECT l.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                + " WHERE a.application_name = ? AND l.locktype = 'advisory' AND l.classid = ? AND l.objid = ?",
                Integer.class, applicationName, ListenerPresence.LOCK_CLASS, ListenerPresence.LOCK_OBJECT);
    }

    private void awaitAKnowsBListens(JdbcSignalStore storeB) {
        await().atMost(Duration.ofSeconds(5)).until(storeB.notifications::isListening);
        await().atMost(Duration.ofSeconds(5)).until(storeA.notifications::worthSending);
    }

    /** Publishes on A and returns the milliseconds until B's subscription got the signal. */
    private long latency(SignalBus a, String id, Runnable publish) {
        long started = System.nanoTime();
        publish.run();
        await().atMost(Duration.ofSeconds(15)).until(() -> arrivedNanos.containsKey(idOf(id)));
        return Duration.ofNanos(arrivedNanos.get(idOf(id)) - started).toMillis();
    }

    private SignalBus instanceA() {
        storeA = JdbcSignalStore.builder(TestDatabases.postgres()).pollInterval(LONG_POLL).build();
        toClose.add(storeA);
        SignalBus bus = SignalBus.builder().store(storeA).name(busName).pollInterval(LONG_POLL).build();
        toClose.add(bus);
        return bus;
    }

    private JdbcSignalStore storeB(boolean notifications, Duration poll) {
        var config = new HikariConfig();
        config.setJdbcUrl(System.getenv(TestDatabases.POSTGRES_URL));
        config.addDataSourceProperty("ApplicationName", applicationName);
        config.setMaximumPoolSize(10);
        poolB = new HikariDataSource(config); // drops a connection that broke, as production pools do
        JdbcSignalStore store = JdbcSignalStore.builder(poolB).pollInterval(poll).notifications(notifications).build();
        toClose.add(store);
        return store;
    }

    /** Serves a persistent subscription on B and waits until it is caught up (a first signal arrived). */
    private void subscribeOnB(JdbcSignalStore storeB, Duration poll) {
        SignalBus b = SignalBus.builder().store(storeB).name(busName).pollInterval(poll).build();
        toClose.add(b);
        b.subscribe("notify.**", SubscribeOptions.persistent("on-b").startFrom(StartFrom.origin()), delivery -> {
            arrivedNanos.putIfAbsent(delivery.signal().id(), System.nanoTime());
            delivery.ack();
        });
        b.publish(signal("warm-up"));
        await().atMost(Duration.ofSeconds(5)).until(() -> arrivedNanos.containsKey(idOf("warm-up")));
    }

    private Signal signal(String id) {
        return Signal.builder("notify.sent").id(idOf(id)).source("notify-test").data(Map.of("id", id)).build();
    }

    private String idOf(String id) {
        return busName + "-" + id;
    }
}
