package io.signalbus.partitions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.jdbc.JdbcSignalStore;
import io.signalbus.jdbc.SignalBusSchema;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * Issue 12, done when 1: several instances of an application ({@link PartitionedInstanceApplication},
 * child JVMs on one PostgreSQL schema) share one subscription of {@code partitions} partitions while
 * this JVM publishes signals over {@code keys} keys at a steady rate; every {@code kill-every} one
 * instance is killed with SIGKILL and a new one started. At the end: no signal lost, no key handled
 * out of position order (a redelivery may only repeat what its key already had), and every partition
 * of a killed instance claimed again by a live one within the claim lease + 2 s.
 *
 * <p>The build runs a small case (3 instances, 8 partitions, 6,000 signals over 300 keys, one kill).
 * The sizes: {@code -Dsignalbus.partitions.instances=4 -Dsignalbus.partitions.partitions=16
 * -Dsignalbus.partitions.signals=200000 -Dsignalbus.partitions.keys=10000
 * -Dsignalbus.partitions.kill-every=20s -Dsignalbus.partitions.rate=2000}.
 */
@EnabledIfEnvironmentVariable(named = "SIGNAL_BUS_TEST_POSTGRES_URL", matches = ".+")
class PartitionedInstancesTest {

    private static final Duration LEASE = Duration.ofSeconds(2);
    private static final Duration TAKEOVER_BOUND = LEASE.plusSeconds(2);

    private final int instances = Integer.getInteger("signalbus.partitions.instances", 3);
    private final int partitions = Integer.getInteger("signalbus.partitions.partitions", 8);
    private final int signals = Integer.getInteger("signalbus.partitions.signals", 6_000);
    private final int keys = Integer.getInteger("signalbus.partitions.keys", 300);
    /** Signals published per second. */
    private final int rate = Integer.getInteger("signalbus.partitions.rate", 1_500);
    /** 0: one kill, two seconds into publishing. */
    private final Duration killEvery = Duration.parse("PT" + System.getProperty("signalbus.partitions.kill-every",
            "0s").toUpperCase(Locale.ROOT));

    private final List<Child> children = new ArrayList<>();
    private final AtomicInteger started = new AtomicInteger();
    private String schema;
    private String url;
    private Path workDirectory;
    private DriverManagerDataSource dataSource;

    @BeforeEach
    void newSchema() throws Exception {
        String base = System.getenv("SIGNAL_BUS_TEST_POSTGRES_URL");
        schema = "part_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection connection = DriverManager.getConnection(base);
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA " + schema);
        }
        url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        dataSource = new DriverManagerDataSource(url);
        SignalBusSchema.migrate(dataSource);
        new JdbcTemplate(dataSource).execute("CREATE TABLE part_handled (id BIGSERIAL PRIMARY KEY,"
                + " signal_id VARCHAR(64) NOT NULL, key VARCHAR(64) NOT NULL, position BIGINT NOT NULL,"
                + " instance VARCHAR(64) NOT NULL, attempt INT NOT NULL)");
        workDirectory = Files.createDirectories(Path.of("target", "partitions", schema)).toAbsolutePath();
    }

    @AfterEach
    void dropSchema() throws Exception {
        for (Child child : children) {
            child.process.toHandle().destroyForcibly();
        }
        for (Child child : children) {
            child.process.waitFor(10, TimeUnit.SECONDS);
        }
        try (Connection connection = DriverManager.getConnection(System.getenv("SIGNAL_BUS_TEST_POSTGRES_URL"));
                Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.MINUTES)
    void noSignalIsLostNoKeyIsOutOfOrderAndAKilledInstancesPartitionsAreServedAgainWithinTheLease()
            throws Exception {
        long begun = System.nanoTime();
        for (int i = 0; i < instances; i++) {
            start();
        }
        children.forEach(Child::awaitReady);
        await().atMost(Duration.ofMinutes(2)).until(() -> liveOwners().size() == partitions);

        Map<String, List<Long>> positionsByKey = new ConcurrentHashMap<>();
        var random = new SplittableRandom(12);
        List<Takeover> takeovers = new ArrayList<>();
        long publishStarted = System.nanoTime();
        try (var store = JdbcSignalStore.builder(dataSource).build();
                SignalBus bus = SignalBus.builder().store(store).build()) {
            ScheduledExecutorService publisher = Executors.newSingleThreadScheduledExecutor();
            int perTick = Math.max(1, rate / 20);
            AtomicInteger published = new AtomicInteger();
            publisher.scheduleAtFixedRate(() -> {
                int count = Math.min(perTick, signals - published.get());
                if (count <= 0) {
                    return;
                }
                var batch = new ArrayList<Signal>(count);
                for (int i = 0; i < count; i++) {
                    batch.add(Signal.builder("part.changed").source("/partitions-test")
                            .subject("key-" + random.nextInt(keys)).build());
                }
                for (RecordedSignal recorded : bus.publish(batch)) {
                    positionsByKey.computeIfAbsent(recorded.signal().subject(), k -> new ArrayList<>())
                            .add(recorded.position());
                }
                published.addAndGet(count);
            }, 0, 50, TimeUnit.MILLISECONDS);
            try {
                Duration firstKill = killEvery.isZero() ? Duration.ofSeconds(2) : killEvery;
                long nextKill = publishStarted + firstKill.toNanos();
                while (published.get() < signals || takeovers.isEmpty()) {
                    long due = nextKill;
                    await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(20))
                            .until(() -> System.nanoTime() - due >= 0 || published.get() >= signals);
                    if (System.nanoTime() - nextKill >= 0 && (takeovers.isEmpty() || !killEvery.isZero())) {
                        takeovers.add(killOneAndStartAnother());
                        nextKill = System.nanoTime() + (killEvery.isZero() ? Long.MAX_VALUE / 4 : killEvery.toNanos());
                    }
                }
            } finally {
                publisher.shutdown();
                publisher.awaitTermination(30, TimeUnit.SECONDS);
            }
        }
        double publishSeconds = (System.nanoTime() - publishStarted) / 1e9;

        var jdbc = new JdbcTemplate(dataSource);
        await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofMillis(500)).until(() -> jdbc.queryForObject(
                "SELECT COUNT(DISTINCT signal_id) FROM part_handled", Long.class) >= signals);
        double totalSeconds = (System.nanoTime() - begun) / 1e9;

        long handlings = jdbc.queryForObject("SELECT COUNT(*) FROM part_handled", Long.class);
        long distinct = jdbc.queryForObject("SELECT COUNT(DISTINCT signal_id) FROM part_handled", Long.class);
        long lost = signals - distinct;
        long violations = orderViolations(jdbc, positionsByKey);
        long slowest = takeovers.stream().mapToLong(Takeover::millis).max().orElse(0);
        String report = String.format(Locale.ROOT, "partitioned instances: %d instances (%d started), %d partitions,"
                + " %,d signals over %,d keys at %,d/s; %d kills; %,d handlings (%,d redeliveries), %d lost, %d per-key"
                + " order violations; partitions of killed instances served again after at most %,d ms (lease %d ms,"
                + " bound %d ms): %s; publishing %.1f s, total %.1f s", instances, started.get(), partitions,
                signals, keys, rate, takeovers.size(), handlings, handlings - distinct, lost, violations, slowest,
                LEASE.toMillis(), TAKEOVER_BOUND.toMillis(), takeovers, publishSeconds, totalSeconds);
        System.out.println(report);
        Files.writeString(workDirectory.resolve("report.txt"), report + "\n");

        assertThat(lost).as("signals never handled").isZero();
        assertThat(violations).as("per-key order violations").isZero();
        assertThat(takeovers).allSatisfy(t -> assertThat(t.millis()).as("takeover of %s", t)
                .isLessThanOrEqualTo(TAKEOVER_BOUND.toMillis()));
    }

    /**
     * Per key, in commit order: each handling is the key's next signal not handled yet, or a repeat of
     * one handled before. Anything else (a later signal first, a skip) counts.
     */
    private static long orderViolations(JdbcTemplate jdbc, Map<String, List<Long>> positionsByKey) {
        Map<String, Integer> next = new HashMap<>();
        Map<String, Set<Long>> seen = new HashMap<>();
        long[] violations = {0};
        jdbc.query("SELECT key, position FROM part_handled ORDER BY id", rs -> {
            String key = rs.getString(1);
            long position = rs.getLong(2);
            List<Long> expected = positionsByKey.get(key);
            int index = next.getOrDefault(key, 0);
            Set<Long> handled = seen.computeIfAbsent(key, k -> new HashSet<>());
            if (expected != null && index < expected.size() && expected.get(index) == position) {
                next.put(key, index + 1);
                handled.add(position);
            } else if (!handled.contains(position)) {
                violations[0]++;
            }
        });
        return violations[0];
    }

    /** The live claims on the partitions: partition id to owner. */
    private Map<String, String> liveOwners() {
        Map<String, String> owners = new HashMap<>();
        new JdbcTemplate(dataSource).query("SELECT subscription_id, owner FROM signal_bus_subscription"
                + " WHERE subscription_id LIKE ? AND owner IS NOT NULL AND lease_until > CURRENT_TIMESTAMP",
                rs -> {
                    owners.put(rs.getString(1), rs.getString(2));
                }, PartitionedInstanceApplication.SUBSCRIPTION + "/%");
        return owners;
    }

    /** SIGKILLs the oldest live instance, starts a new one, and times until its partitions have live owners again. */
    private Takeover killOneAndStartAnother() throws Exception {
        Child victim = children.stream().filter(c -> c.process.isAlive()).findFirst().orElseThrow();
        Set<String> held = new HashSet<>();
        liveOwners().forEach((partition, owner) -> {
            if (owner.equals(victim.instance)) {
                held.add(partition);
            }
        });
        long killed = System.nanoTime();
        victim.process.toHandle().destroyForcibly();
        victim.process.waitFor(10, TimeUnit.SECONDS);
        start();
        await().atMost(TAKEOVER_BOUND.plusSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
            Map<String, String> owners = liveOwners();
            return held.stream().allMatch(p -> owners.containsKey(p) && !owners.get(p).equals(victim.instance));
        });
        return new Takeover(victim.instance, held.size(), (System.nanoTime() - killed) / 1_000_000);
    }

    private void start() throws IOException {
        String instance = "instance-" + started.incrementAndGet();
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        var command = List.of(java.toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp",
                System.getProperty("java.class.path"), PartitionedInstanceApplication.class.getName(),
                "--spring.main.banner-mode=off", "--spring.main.web-application-type=none",
                "--spring.datasource.url=" + url, "--signal-bus.instance-id=" + instance,
                "--signal-bus.claim-lease=" + LEASE.toMillis() + "ms", "--signal-bus.poll-interval=200ms",
                "--part.partitions=" + partitions);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        children.add(new Child(instance, process, workDirectory.resolve(instance + ".log")));
    }

    /** How long the partitions a killed instance held went without a live owner. */
    private record Takeover(String killed, int partitions, long millis) {
        @Override
        public String toString() {
            return killed + " (" + partitions + " partitions) " + millis + " ms";
        }
    }

    /** A child JVM whose output goes to a log file; READY is remembered. */
    private static final class Child {

        final String instance;
        final Process process;
        private volatile boolean ready;

        Child(String instance, Process process, Path logFile) {
            this.instance = instance;
            this.process = process;
            Thread reader = new Thread(() -> {
                try (var in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8)); Writer out = Files.newBufferedWriter(logFile)) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        out.write(line);
                        out.write('\n');
                        if (line.equals("READY")) {
                            ready = true;
                            out.flush();
                        }
                    }
                } catch (IOException e) {
                    // the process died: its log ends here
                }
            }, instance + "-output");
            reader.setDaemon(true);
            reader.start();
        }

        void awaitReady() {
            await().atMost(Duration.ofMinutes(2)).until(() -> ready || !process.isAlive());
            assertThat(ready).as("%s started (see target/partitions/*/%s.log)", instance, instance).isTrue();
        }
    }
}
