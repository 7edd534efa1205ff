package io.signalbus.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.signalbus.InvalidSignalException;
import io.signalbus.PublishOutcomeUnknownException;
import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.SignalStoreException;
import io.signalbus.StartFrom;
import io.signalbus.SubscribeOptions;
import io.signalbus.jdbc.JdbcSignalStore;
import io.signalbus.jdbc.SignalBusSchema;
import io.signalbus.spring.SignalBuses;
import io.signalbus.spring.actuate.SignalBusHealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;
import io.signalbus.spring.actuate.SignalBusHealthProperties;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.springframework.boot.health.contributor.Status;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * A bus on PostgreSQL through a {@link FaultProxy} while the connection to the database is cut or
 * frozen, with publishers running throughout: every publish returns or fails within the publish
 * timeout and a second, health turns DOWN within 5 s, a persistent subscription resumes within 5 s of
 * the restore, and every publish that returned is delivered. Prints the figures. Runs when
 * {@value #POSTGRES_URL} names a database; in a fresh schema, dropped afterwards.
 */
@EnabledIfEnvironmentVariable(named = PostgresOutageTest.POSTGRES_URL, matches = ".+")
class PostgresOutageTest {

    /** A JDBC URL such as {@code jdbc:postgresql://127.0.0.1:5432/signalbus_test?user=postgres}. */
    static final String POSTGRES_URL = "SIGNAL_BUS_TEST_POSTGRES_URL";

    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(2);
    /**
     * Long enough for every timeout to pass several times over; short enough that Hikari's backoff
     * between failed connection attempts (doubling from 10 ms up to 5 s) is at most 2.6 s at the restore,
     * so that the resume measures the bus, not the pool's sleep. After longer outages the pool may sleep
     * up to 5 s before it connects again. {@code -Dsignalbus.outage.seconds=20} runs the 20 s.
     */
    private static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("signalbus.outage.seconds", 5));
    private static final Duration BOUND = Duration.ofSeconds(5);
    private static final int PUBLISHERS = 4;

    private String schema;
    private FaultProxy proxy;
    private HikariDataSource dataSource;
    private JdbcSignalStore store;
    private SignalBus bus;
    private SignalBusHealthContributor healthContributor;
    private HealthIndicator health;

    private final Set<String> delivered = ConcurrentHashMap.newKeySet();
    private final AtomicLong lastDeliveryNanos = new AtomicLong();
    private final Set<String> confirmed = ConcurrentHashMap.newKeySet();
    private final ConcurrentLinkedQueue<Signal> unknown = new ConcurrentLinkedQueue<>();
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    private final Map<String, String> failureSamples = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
    private final LongAccumulator maxPublishNanos = new LongAccumulator(Math::max, 0);
    private volatile boolean publishing = true;

    @BeforeEach
    void start() throws Exception {
        String base = System.getenv(POSTGRES_URL);
        Matcher url = Pattern.compile("jdbc:postgresql://([^/:?]+)(?::(\\d+))?/(.*)").matcher(base);
        assertThat(url.matches()).as("a jdbc:postgresql://host[:port]/database URL: " + base).isTrue();
        schema = "outage_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
        try (Connection connection = DriverManager.getConnection(base);
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA " + schema);
        }
        String separator = base.contains("?") ? "&" : "?";
        proxy = new FaultProxy(url.group(1), url.group(2) != null ? Integer.parseInt(url.group(2)) : 5432);

        var config = new HikariConfig();
        // the driver's socket timeout frees a thread from a connection that stopped answering
        config.setJdbcUrl("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + url.group(3) + separator
                + "currentSchema=" + schema + "&socketTimeout=4&connectTimeout=2&cancelSignalTimeout=1");
        config.setMaximumPoolSize(6);
        config.setConnectionTimeout(1000);
        config.setValidationTimeout(500);
        dataSource = new HikariDataSource(config);
        SignalBusSchema.migrate(new DriverManagerDataSource(base + separator + "currentSchema=" + schema));
        store = JdbcSignalStore.builder(dataSource).publishTimeout(PUBLISH_TIMEOUT).queryTimeout(Duration.ofSeconds(3))
                .build();
        bus = SignalBus.builder().name("outage").store(store).pollInterval(Duration.ofMillis(200))
                .checkpointFlush(50, Duration.ofMillis(200)).build();
        bus.subscribe("outage.*", SubscribeOptions.persistent("listener").startFrom(StartFrom.origin()), delivery -> {
            delivered.add(delivery.signal().id());
            lastDeliveryNanos.set(System.nanoTime());
            delivery.ack();
        });
        var properties = new SignalBusHealthProperties();
        properties.setTimeout(Duration.ofSeconds(1));
        healthContributor = new SignalBusHealthContributor(new SignalBuses(List.of(bus)), properties, Clock.systemUTC());
        health = (HealthIndicator) healthContributor.getContributor("outage");
    }

    @AfterEach
    void stop() throws Exception {
        publishing = false;
        if (healthContributor != null) {
            healthContributor.close();
        }
        if (bus != null) {
            bus.close();
        }
        if (store != null) {
            store.close();
        }
        if (dataSource != null) {
            dataSource.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        try (Connection connection = DriverManager.getConnection(System.getenv(POSTGRES_URL));
                Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Test
    void aCutConnection() throws Exception {
        survives("cut", proxy::cut);
    }

    @Test
    void aFrozenConnection() throws Exception {
        survives("freeze", proxy::freeze);
    }

    private interface Fault {
        void inject() throws Exception;
    }

    private void survives(String name, Fault fault) throws Exception {
        List<Thread> publishers = new ArrayList<>();
        for (int i = 0; i < PUBLISHERS; i++) {
            Thread thread = new Thread(this::publishUntilStopped, "outage-publisher-" + i);
            thread.start();
            publishers.add(thread);
        }
        awaitTrue(Duration.ofSeconds(10), () -> delivered.size() >= 20 && health.health().getStatus() == Status.UP,
                "the bus runs before the fault");

        fault.inject();
        long faultAt = System.nanoTime();
        awaitTrue(BOUND, () -> health.health().getStatus() == Status.DOWN, "health is DOWN");
        long downAfter = System.nanoTime() - faultAt;
        String downDetails = health.health().getDetails().toString();
        sleepUntil(faultAt + OUTAGE.toNanos());

        proxy.restore();
        long restoredAt = System.nanoTime();
        awaitTrue(Duration.ofSeconds(10), () -> lastDeliveryNanos.get() > restoredAt, "the listener resumes");
        long resumedAfter = lastDeliveryNanos.get() - restoredAt;
        awaitTrue(Duration.ofSeconds(10), () -> health.health().getStatus() == Status.UP, "health is UP again");
        long upAfter = System.nanoTime() - restoredAt;
        sleepUntil(System.nanoTime() + TimeUnit.SECONDS.toNanos(1)); // a second of publishing after the restore

        publishing = false;
        for (Thread publisher : publishers) {
            publisher.join(PUBLISH_TIMEOUT.plusSeconds(1).toMillis());
            assertThat(publisher.isAlive()).as(publisher.getName() + " is stuck").isFalse();
        }
        int unknownCount = unknown.size();
        int retriedAlreadyLogged = retryUnknown();
        awaitTrue(Duration.ofSeconds(10), () -> delivered.containsAll(confirmed), "every confirmed signal is delivered");

        System.out.printf(Locale.ROOT, "signal-bus outage test (%s for %d s, publish timeout %s): max publish wait %d ms,"
                + " health DOWN after %d ms, listener resumed %d ms and health UP %d ms after the restore;"
                + " %d published, %d outcome unknown (%d of them already in the log on retry), failures %s;"
                + " 0 lost of %d delivered%n  DOWN details: %s%n  failures: %s%n", name, OUTAGE.toSeconds(), PUBLISH_TIMEOUT,
                TimeUnit.NANOSECONDS.toMillis(maxPublishNanos.get()), TimeUnit.NANOSECONDS.toMillis(downAfter),
                TimeUnit.NANOSECONDS.toMillis(resumedAfter), TimeUnit.NANOSECONDS.toMillis(upAfter), confirmed.size(),
                unknownCount, retriedAlreadyLogged, failures, delivered.size(), downDetails, failureSamples);

        assertThat(unexpected).isEmpty();
        assertThat(Duration.ofNanos(maxPublishNanos.get())).isLessThanOrEqualTo(PUBLISH_TIMEOUT.plusSeconds(1));
        assertThat(Duration.ofNanos(downAfter)).isLessThanOrEqualTo(BOUND);
        assertThat(Duration.ofNanos(resumedAfter)).isLessThanOrEqualTo(BOUND);
        assertThat(delivered).containsAll(confirmed);
    }

    private void publishUntilStopped() {
        int n = 0;
        while (publishing) {
            Signal signal = Signal.of("outage.tick", "outage-test", Map.of("n", n++));
            long started = System.nanoTime();
            try {
                bus.publish(signal);
                confirmed.add(signal.id());
            } catch (PublishOutcomeUnknownException e) {
                unknown.add(signal);
            } catch (SignalStoreException e) {
                failures.merge(kind(e), 1, Integer::sum);
                failureSamples.putIfAbsent(kind(e), e.getMessage());
            } catch (RuntimeException e) {
                unexpected.add(e);
            } finally {
                maxPublishNanos.accumulate(System.nanoTime() - started);
            }
            LockSupport.parkNanos(5_000_000); // the publishers' pace: the workload, not a wait for a result
        }
    }

    /** A short name for a failure: whether it failed fast, timed out or failed on its own write. */
    private static String kind(SignalStoreException e) {
        String message = e.getMessage();
        if (message.contains("appends fail at once")) {
            return "failed fast after a failure";
        }
        if (message.contains("has not answered the write in progress")) {
            return "failed fast behind a stuck write";
        }
        if (message.contains("publish timeout")) {
            return "timed out queued";
        }
        return "failed";
    }

    /** Publishes the signals of unknown outcome again; returns how many were already in the log. */
    private int retryUnknown() {
        int alreadyLogged = 0;
        for (Signal signal : unknown) {
            try {
                bus.publish(signal);
            } catch (InvalidSignalException e) {
                assertThat(e).hasMessageContaining("already in the log");
                alreadyLogged++;
            }
            confirmed.add(signal.id());
        }
        return alreadyLogged;
    }

    private static void awaitTrue(Duration timeout, Callable<Boolean> condition, String what) {
        await(what).atMost(timeout).pollInterval(Duration.ofMillis(50)).until(condition);
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }
}
