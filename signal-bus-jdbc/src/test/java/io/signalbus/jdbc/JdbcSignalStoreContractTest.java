package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalbus.Checkpoint;
import io.signalbus.InvalidSignalException;
import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import io.signalbus.json.SignalJson;
import io.signalbus.store.Lease;
import io.signalbus.store.SignalStore;
import io.signalbus.store.SignalStoreContractTest;
import io.signalbus.store.SubscriptionRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The store contract plus what only the JDBC store promises; each database supplies its DataSource. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class JdbcSignalStoreContractTest extends SignalStoreContractTest {

    private JdbcSignalStore jdbcStore;

    abstract DataSource dataSource();

    @Override
    protected SignalStore store() {
        if (jdbcStore == null) {
            jdbcStore = new JdbcSignalStore(dataSource());
        }
        return jdbcStore;
    }

    @AfterAll
    void closeStore() {
        if (jdbcStore != null) {
            jdbcStore.close();
        }
    }

    @Test
    void leasesEndOnTheDatabaseClockSoAProcessWhoseClockRunsAheadCannotTakeALiveClaim() {
        store.createSubscription(new SubscriptionRecord(bus, "s1", "order.**", Checkpoint.ORIGIN, 100, 5,
                Duration.ofSeconds(30), 0, T0));
        Instant realNow = Instant.now();
        Lease held = store.claim(bus, "s1", "node-a", realNow.minus(Duration.ofHours(1)), Duration.ofSeconds(30));

        Lease skewed = store.claim(bus, "s1", "node-b", realNow.plus(Duration.ofHours(1)), Duration.ofSeconds(30));

        assertThat(skewed).as("node-b's clock says node-a's lease ended an hour ago").isNull();
        assertThat(held).isNotNull();
        assertThat(held.leaseUntil()).as("30 s on the database clock, whatever the caller's time")
                .isBetween(realNow.plusSeconds(25), realNow.plusSeconds(35));
    }

    @Test
    void aDuplicateIdAmongConcurrentAppendsFailsOnlyItsOwnCall() throws Exception {
        Signal existing = store.append(bus, List.of(signal("t.e", 0)), T0).get(0).signal();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            var calls = new ArrayList<Callable<List<RecordedSignal>>>();
            for (int i = 1; i <= 200; i++) {
                List<Signal> batch = i == 100 ? List.of(signal("t.e", i), existing) : List.of(signal("t.e", i));
                calls.add(() -> store.append(bus, batch, T0));
            }
            List<Future<List<RecordedSignal>>> results = threads.invokeAll(calls);

            int failed = 0;
            var positions = new ArrayList<Long>();
            for (int i = 0; i < results.size(); i++) {
                try {
                    results.get(i).get().forEach(r -> positions.add(r.position()));
                } catch (ExecutionException e) {
                    failed++;
                    assertThat(i).isEqualTo(99);
                    assertThat(e.getCause()).isInstanceOf(InvalidSignalException.class)
                            .hasMessageContaining(existing.id()).hasMessageContaining("position 1");
                }
            }
            assertThat(failed).isEqualTo(1);
            assertThat(positions).containsExactlyInAnyOrderElementsOf(
                    IntStream.rangeClosed(2, 200).mapToObj(Long::valueOf).toList());
            assertThat(store.head(bus)).isEqualTo(200);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void anAppendTooLargeForOneStatementTakesOneUnbrokenRangeOfPositions() {
        int count = PostgresAppendStrategy.MAX_ROWS_PER_STATEMENT * 2 + 500;
        List<Signal> batch = IntStream.rangeClosed(1, count).mapToObj(i -> signal("t.e", i)).toList();

        List<RecordedSignal> recorded = store.append(bus, batch, T0);

        assertThat(recorded).extracting(RecordedSignal::position)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, count).boxed().toList());
        assertThat(store.read(bus, 0, count)).extracting(r -> r.signal().id())
                .containsExactlyElementsOf(batch.stream().map(Signal::id).toList());
    }

    @Test
    void largeSignalsAreSplitAcrossStatementsAndStillTakeOneUnbrokenRange() {
        String blob = "x".repeat(300_000); // 20 of them are more than one statement may carry
        List<Signal> batch = IntStream.rangeClosed(1, 20)
                .mapToObj(i -> Signal.of("t.large", "contract-test", Map.of("n", i, "blob", blob))).toList();

        List<RecordedSignal> recorded = store.append(bus, batch, T0);

        assertThat(recorded).extracting(RecordedSignal::position)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 20).boxed().toList());
        assertThat(store.read(bus, 0, 100)).extracting(r -> r.signal().id())
                .containsExactlyElementsOf(batch.stream().map(Signal::id).toList());
        assertThat(store.read(bus, 19, 1).get(0).signal().dataJson()).hasSizeGreaterThan(300_000);
    }

    @Test
    void anAppendTooLargeForOneStatementWritesNothingWhenItsLastStatementFails() {
        Signal existing = store.append(bus, List.of(signal("t.e", 0)), T0).get(0).signal();
        var batch = new ArrayList<Signal>();
        IntStream.rangeClosed(1, PostgresAppendStrategy.MAX_ROWS_PER_STATEMENT * 2).forEach(i -> batch.add(signal("t.e", i)));
        batch.add(existing);

        assertThatThrownBy(() -> store.append(bus, batch, T0)).isInstanceOf(InvalidSignalException.class)
                .hasMessageContaining(existing.id());
        assertThat(store.head(bus)).isEqualTo(1);
        assertThat(store.read(bus, 1, 10)).isEmpty();
    }

    @Test
    void recordedAtKeepsItsMicroseconds() {
        Instant at = Instant.parse("2026-11-27T10:15:30.123456Z");

        store.append(bus, List.of(signal("t.e", 1), signal("t.e", 2)), at);

        assertThat(store.read(bus, 0, 10)).extracting(RecordedSignal::recordedAt).containsExactly(at, at);
    }

    @Test
    void appendsCommitWhenThePoolHandsOutConnectionsWithAutoCommitOff() {
        DataSource manualCommit = TestDatabases.withAutoCommitOff(dataSource());
        try (var manualStore = new JdbcSignalStore(manualCommit)) {
            manualStore.append(bus, List.of(signal("t.e", 1)), T0);
            manualStore.append(bus, List.of(signal("t.e", 2), signal("t.e", 3)), T0);
        }

        // read through the normal pool: only committed rows are visible there
        assertThat(store.read(bus, 0, 10)).extracting(RecordedSignal::position).containsExactly(1L, 2L, 3L);
    }

    @Test
    void aGroupWhoseRequestsTookTheirTimesOutOfOrderRecordsTimesInPositionOrder() {
        var jdbc = new JdbcTemplate(dataSource());
        var writer = new LogWriter(jdbc, new TransactionTemplate(new DataSourceTransactionManager(dataSource())),
                JdbcDialect.of(dataSource()).appendStrategy(jdbc));
        store.append(bus, List.of(signal("t.e", 0)), T0.plusSeconds(5));
        // the second caller took its time first but reached the queue second
        List<AppendRequest> group = List.of(request(T0.plusSeconds(20), 1, 2), request(T0.plusSeconds(10), 3),
                request(T0.plusSeconds(30), 4));

        List<List<RecordedSignal>> recorded = writer.commit(group);

        var expected = List.of(T0.plusSeconds(5), T0.plusSeconds(20), T0.plusSeconds(20), T0.plusSeconds(20),
                T0.plusSeconds(30));
        assertThat(recorded.stream().flatMap(List::stream).map(RecordedSignal::recordedAt))
                .containsExactlyElementsOf(expected.subList(1, 5));
        assertThat(store.read(bus, 0, 10)).extracting(RecordedSignal::recordedAt).containsExactlyElementsOf(expected);
        assertThat(store.positionBefore(bus, T0.plusSeconds(20))).isEqualTo(1);
    }

    private AppendRequest request(Instant at, int... numbers) {
        List<Signal> signals = IntStream.of(numbers).mapToObj(n -> signal("t.e", n)).toList();
        return new AppendRequest(bus, signals, signals.stream().map(new SignalJson()::encode).toList(), at);
    }
}
