package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.signalbus.Delivery;
import io.signalbus.InvalidSignalException;
import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.SignalBusListener;
import io.signalbus.StartFrom;
import io.signalbus.SubscribeOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Invariant 3: publish joins a Spring transaction on the same DataSource; subscribers hear of it
 * after commit. Inside the transaction the signals are staged without positions (the returned ones
 * have position 0), and the store's sequencer gives them positions after the commit.
 */
abstract class TransactionalPublishTest {

    private final DataSource dataSource = dataSource();
    private final TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    private final List<Woken> woken = new CopyOnWriteArrayList<>();
    private final List<Delivery> persistent = new CopyOnWriteArrayList<>();
    private JdbcSignalStore store;
    private SignalBus bus;

    abstract DataSource dataSource();

    /** A transient delivery, and whether its signal was visible to other connections when it arrived. */
    private record Woken(String signalId, boolean committed) {
    }

    @BeforeEach
    void setUp() {
        store = new JdbcSignalStore(dataSource);
        bus = SignalBus.builder().store(store).name("tx-" + UUID.randomUUID().toString().substring(0, 8))
                .pollInterval(Duration.ofMillis(20)).build();
        bus.subscribe("order.**", d -> woken.add(new Woken(d.signal().id(), committedElsewhere(d.signal().id()))));
        bus.subscribe("order.**", SubscribeOptions.persistent("tx-listener").startFrom(StartFrom.origin()), d -> {
            persistent.add(d);
            d.ack();
        });
    }

    @AfterEach
    void tearDown() {
        bus.close();
        store.close();
    }

    @Test
    void publishInARolledBackTransactionLeavesNoSignalAndWakesNoSubscriber() {
        Signal rolledBack = Signal.of("order.created", "tx-test", Map.of("n", 1));

        transaction.executeWithoutResult(status -> {
            bus.publish(rolledBack);
            status.setRollbackOnly();
        });

        assertThat(store.positionOf(bus.name(), rolledBack.id())).isEmpty();
        assertThat(store.head(bus.name())).isZero();
        assertThat(woken).isEmpty();

        Signal next = Signal.of("order.created", "tx-test", Map.of("n", 2));
        assertThat(bus.publish(next)).extracting(RecordedSignal::position).containsExactly(1L);
        await().atMost(Duration.ofSeconds(10)).until(() -> persistent.size() == 1);
        assertThat(persistent).extracting(d -> d.signal().id()).containsExactly(next.id());
        assertThat(woken).extracting(Woken::signalId).containsExactly(next.id());
    }

    @Test
    void signalsPublishedInATransactionGetPositionsWhenThePoolHandsOutConnectionsWithAutoCommitOff() {
        bus.close();
        store.close(); // its backstop would sequence what the store under test leaves staged
        DataSource manualCommit = TestDatabases.withAutoCommitOff(dataSource);
        var manualTransaction = new TransactionTemplate(new DataSourceTransactionManager(manualCommit));
        Signal first = Signal.of("order.created", "tx-test", Map.of("n", 1));
        Signal second = Signal.of("order.created", "tx-test", Map.of("n", 2));
        try (var manualStore = new JdbcSignalStore(manualCommit);
                var manualBus = SignalBus.builder().store(manualStore).name(bus.name()).build()) {
            manualTransaction.executeWithoutResult(status -> manualBus.publish(List.of(first, second)));

            // read through the normal pool: only a committed step is visible there
            var committed = new JdbcTemplate(dataSource);
            await().atMost(Duration.ofSeconds(10)).until(() -> committed.queryForList(
                    "SELECT signal_id FROM signal_bus_log WHERE bus = ? ORDER BY position", String.class,
                    bus.name()), ids -> ids.equals(List.of(first.id(), second.id())));
        }
    }

    @Test
    void publishInACommittedTransactionWakesSubscribersOnlyAfterTheCommit() {
        Signal signal = Signal.of("order.created", "tx-test", Map.of("n", 1));

        List<RecordedSignal> returned = transaction.execute(status -> {
            List<RecordedSignal> recorded = bus.publish(signal);
            assertThat(woken).isEmpty();
            assertThat(committedElsewhere(signal.id())).isFalse();
            return recorded;
        });

        assertThat(returned).extracting(RecordedSignal::position).containsExactly(RecordedSignal.UNASSIGNED);
        assertThat(woken).containsExactly(new Woken(signal.id(), true));
        await().atMost(Duration.ofSeconds(10)).until(() -> persistent.size() == 1);
        assertThat(persistent.get(0).signal().id()).isEqualTo(signal.id());
        assertThat(persistent.get(0).position()).isEqualTo(1);
        assertThat(store.positionOf(bus.name(), signal.id())).hasValue(1);
    }

    @Test
    void theSignalsHandedOnAfterTheCommitCarryThePositionsAndTimesTheLogRecorded() {
        var delivering = new CopyOnWriteArrayList<RecordedSignal>();
        try (SignalBus timed = SignalBus.builder().store(store).name("tx-" + UUID.randomUUID().toString().substring(0, 8))
                .pollInterval(Duration.ofMillis(20)).listener(new SignalBusListener() {
                    @Override
                    public void delivering(String busName, Delivery delivery, RecordedSignal recorded) {
                        delivering.add(recorded);
                    }
                }).build()) {
            timed.subscribe("order.**", SubscribeOptions.persistent("timed").startFrom(StartFrom.origin()), Delivery::ack);
            List<Signal> signals = List.of(Signal.of("order.created", "tx-test", Map.of("n", 1)),
                    Signal.of("order.created", "tx-test", Map.of("n", 2)));

            transaction.executeWithoutResult(status -> timed.publish(signals));

            await().atMost(Duration.ofSeconds(10)).until(() -> delivering.size() == signals.size());
            for (RecordedSignal recorded : delivering) {
                RecordedSignal stored = store.signalAt(timed.name(), recorded.position()).orElseThrow();
                assertThat(recorded.signal().id()).isEqualTo(stored.signal().id());
                assertThat(recorded.recordedAt()).isEqualTo(stored.recordedAt());
            }
        }
    }

    @Test
    void publishJoinsTheTransactionSoTheCallersRollbackUndoesBothItsWritesAndTheSignal() {
        new JdbcTemplate(dataSource).execute("CREATE TABLE IF NOT EXISTS tx_test_orders (id VARCHAR(36) PRIMARY KEY)");
        String orderId = UUID.randomUUID().toString();
        Signal signal = Signal.of("order.created", "tx-test", Map.of("order", orderId));

        assertThatThrownBy(() -> transaction.executeWithoutResult(status -> {
            new JdbcTemplate(dataSource).update("INSERT INTO tx_test_orders (id) VALUES (?)", orderId);
            bus.publish(signal);
            throw new IllegalStateException("payment declined");
        })).hasMessage("payment declined");

        assertThat(new JdbcTemplate(dataSource).queryForObject("SELECT COUNT(*) FROM tx_test_orders WHERE id = ?",
                Integer.class, orderId)).isZero();
        assertThat(store.positionOf(bus.name(), signal.id())).isEmpty();
        assertThat(woken).isEmpty();
    }

    @Test
    void aRejectedPublishLeavesTheCallersTransactionUsable() {
        Signal first = Signal.of("order.created", "tx-test", Map.of("n", 1));
        bus.publish(first);
        Signal second = Signal.of("order.created", "tx-test", Map.of("n", 2));

        transaction.executeWithoutResult(status -> {
            assertThatThrownBy(() -> bus.publish(Signal.of("order.created", "tx-test", Map.of("n", 3)), first))
                    .isInstanceOf(InvalidSignalException.class).hasMessageContaining(first.id());
            bus.publish(second);
            assertThatThrownBy(() -> bus.publish(second)).isInstanceOf(InvalidSignalException.class)
                    .hasMessageContaining(second.id()).hasMessageContaining("waiting for its position");
        });

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(store.read(bus.name(), 0, 10))
                .extracting(r -> r.signal().id()).containsExactly(first.id(), second.id()));
    }

    @Test
    void aStagedSignalWhoseIdReachedTheLogBeforeItsCommitIsDroppedAndTheRestOfItsTransactionIsSequenced() {
        Signal raced = Signal.of("order.created", "tx-test", Map.of("n", 1));
        Signal sibling = Signal.of("order.created", "tx-test", Map.of("n", 2));

        transaction.executeWithoutResult(status -> {
            bus.publish(raced, sibling);
            // the same id published outside the transaction is not staged, so no check can see the race
            new Thread(() -> bus.publish(raced)).start();
            await().atMost(Duration.ofSeconds(10)).until(() -> store.positionOf(bus.name(), raced.id()).isPresent());
        });
        Signal next = Signal.of("order.created", "tx-test", Map.of("n", 3));
        transaction.executeWithoutResult(status -> bus.publish(next));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(store.read(bus.name(), 0, 10))
                .extracting(r -> r.signal().id()).containsExactly(raced.id(), sibling.id(), next.id()));
        assertThat(new JdbcTemplate(dataSource).queryForObject("SELECT COUNT(*) FROM signal_bus_pending WHERE bus = ?",
                Integer.class, bus.name())).isZero();
    }

    @Test
    void aFailedCommitPublishesNothing() {
        Signal signal = Signal.of("order.created", "tx-test", Map.of("n", 1));

        assertThatThrownBy(() -> transaction.executeWithoutResult(status -> {
            bus.publish(signal);
            TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                @Override
                public void beforeCommit(boolean readOnly) {
                    throw new IllegalStateException("the commit failed");
                }
            });
        })).hasMessage("the commit failed");

        Signal next = Signal.of("order.created", "tx-test", Map.of("n", 2));
        bus.publish(next);
        await().atMost(Duration.ofSeconds(10)).until(() -> persistent.size() == 1);
        assertThat(persistent).extracting(d -> d.signal().id()).containsExactly(next.id());
        assertThat(committedElsewhere(signal.id())).isFalse();
        assertThat(woken).extracting(Woken::signalId).containsExactly(next.id());
    }

    @Test
    void anInnerTransactionCommitsItsSignalsEvenWhenTheOuterOneRollsBack() {
        var inner = new TransactionTemplate(transaction.getTransactionManager());
        inner.setPropagationBehavior(TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        Signal outerSignal = Signal.of("order.created", "tx-test", Map.of("n", 1));
        Signal innerSignal = Signal.of("order.created", "tx-test", Map.of("n", 2));

        transaction.executeWithoutResult(status -> {
            bus.publish(outerSignal);
            inner.executeWithoutResult(innerStatus -> bus.publish(innerSignal));
            status.setRollbackOnly();
        });

        await().atMost(Duration.ofSeconds(10)).until(() -> persistent.size() == 1);
        assertThat(persistent).extracting(d -> d.signal().id()).containsExactly(innerSignal.id());
        assertThat(committedElsewhere(outerSignal.id())).isFalse();
    }

    @Test
    void theSignalsOfOneTransactionGetConsecutivePositionsInPublishOrder() {
        List<Signal> first = List.of(Signal.of("order.created", "tx-test", Map.of("n", 1)),
                Signal.of("order.created", "tx-test", Map.of("n", 2)));
        Signal second = Signal.of("order.created", "tx-test", Map.of("n", 3));

        transaction.executeWithoutResult(status -> {
            bus.publish(first);
            bus.publish(Signal.of("other.created", "tx-test", Map.of("n", 0))); // not matched, still a position
            bus.publish(second);
        });

        await().atMost(Duration.ofSeconds(10)).until(() -> persistent.size() == 3);
        assertThat(persistent).extracting(Delivery::position).containsExactly(1L, 2L, 4L);
        assertThat(persistent).extracting(d -> d.signal().id())
                .containsExactly(first.get(0).id(), first.get(1).id(), second.id());
        assertThat(woken).extracting(Woken::signalId).containsExactly(first.get(0).id(), first.get(1).id(),
                second.id());
    }

    @Test
    void aPublishOfManySignalsInATransactionGivesThemPositionsInTheirOrder() {
        List<Signal> signals = new ArrayList<>();
        for (int n = 0; n < 200; n++) {
            signals.add(Signal.of("order.created", "tx-test", Map.of("n", n)));
        }

        transaction.executeWithoutResult(status -> bus.publish(signals));

        await().atMost(Duration.ofSeconds(10)).until(() -> persistent.size() == signals.size());
        assertThat(persistent).extracting(d -> d.signal().id())
                .containsExactlyElementsOf(signals.stream().map(Signal::id).toList());
        assertThat(persistent).extracting(Delivery::position)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, signals.size()).boxed().toList());
    }

    /**
     * Issue 10, "done when" 1: a transaction that publishes and then stays open (3 s here, to keep the
     * suite fast) makes no other publisher wait: eight threads publishing in their own short
     * transactions meanwhile all commit, and their signals are delivered before the long one commits.
     */
    @Test
    void aTransactionThatStaysOpenDelaysNoOtherPublisher() throws Exception {
        Duration open = Duration.ofSeconds(3);
        Signal longOne = Signal.of("order.created", "tx-long", Map.of("n", 0));
        var published = new CountDownLatch(1);
        var release = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(9);
        try {
            Future<?> longTransaction = threads.submit(() -> transaction.executeWithoutResult(status -> {
                bus.publish(longOne);
                published.countDown();
                try {
                    assertThat(release.await(30, TimeUnit.SECONDS)).isTrue();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }));
            assertThat(published.await(10, TimeUnit.SECONDS)).isTrue();
            long openedAt = System.nanoTime();
            var others = new ArrayList<Future<List<String>>>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                others.add(threads.submit(() -> {
                    var ids = new ArrayList<String>();
                    for (int i = 0; i < 20; i++) {
                        Signal signal = Signal.of("order.created", "tx-short", Map.of("t", thread, "i", i));
                        transaction.executeWithoutResult(status -> bus.publish(signal));
                        ids.add(signal.id());
                    }
                    return ids;
                }));
            }
            var shortIds = new ArrayList<String>();
            for (Future<List<String>> other : others) {
                shortIds.addAll(other.get(30, TimeUnit.SECONDS)); // not waiting for the long one: it is open until they are delivered
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> persistent.size() == 160);
            assertThat(persistent).extracting(d -> d.signal().id()).containsExactlyInAnyOrderElementsOf(shortIds);

            // keep the long transaction open for at least the whole time, and its signal undelivered
            Duration left = open.minusNanos(System.nanoTime() - openedAt);
            if (!left.isNegative()) {
                await().pollDelay(left).atMost(left.plusSeconds(1)).until(() -> true);
            }
            assertThat(persistent).hasSize(160);
            release.countDown();
            longTransaction.get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).until(() -> persistent.size() == 161);
            assertThat(persistent.get(160).signal().id()).isEqualTo(longOne.id());
            assertThat(persistent).extracting(Delivery::position).isSorted().doesNotHaveDuplicates();
        } finally {
            release.countDown();
            threads.shutdownNow();
        }
    }

    /**
     * What processes that died between their commits and their sequencing steps leave behind: committed
     * staged rows no local transaction waits for, here on two buses and more than one page of the
     * backstop's walk (1,000 rows). The backstop gives every one a position, each bus's in staging order.
     */
    @Test
    void signalsStagedByAProcessThatDiedBeforeSequencingThemGetPositionsOnEveryBusInStagingOrder() {
        String prefix = bus.name();
        SignalBus source = SignalBus.builder().store(store).name(prefix + "-source").build();
        var signals = new ArrayList<Signal>();
        for (int i = 0; i < 1500; i++) {
            signals.add(Signal.of("order.created", "tx-orphan", Map.of("n", i)));
        }
        source.publish(signals);
        source.close();
        var jdbc = new JdbcTemplate(dataSource);
        // positions 1, 2, 3 share a transaction key, and alternate between the buses: so do the staged rows
        jdbc.update("INSERT INTO signal_bus_pending (bus, tx_key, signal_id, type, recorded_at, created_at, envelope)"
                + " SELECT CASE WHEN MOD(position, 2) = 0 THEN ? ELSE ? END, position / 3, signal_id, type, recorded_at,"
                + " ?, envelope FROM signal_bus_log WHERE bus = ? ORDER BY position", prefix + "-even", prefix + "-odd",
                Timestamp.from(Instant.now().minusSeconds(60)), prefix + "-source");

        List<String> even = new ArrayList<>();
        List<String> odd = new ArrayList<>();
        for (int i = 0; i < signals.size(); i++) {
            ((i + 1) % 2 == 0 ? even : odd).add(signals.get(i).id());
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(store.read(prefix + "-even", 0, 1000)).extracting(r -> r.signal().id()).isEqualTo(even);
            assertThat(store.read(prefix + "-odd", 0, 1000)).extracting(r -> r.signal().id()).isEqualTo(odd);
        });
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM signal_bus_pending WHERE bus LIKE ?", Integer.class,
                prefix + "-%")).isZero();
    }

    /** Whether a connection outside any transaction sees the signal, in the log or staged: it is committed. */
    private boolean committedElsewhere(String signalId) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement("SELECT (SELECT COUNT(*) FROM signal_bus_log"
                        + " WHERE bus = ? AND signal_id = ?) + (SELECT COUNT(*) FROM signal_bus_pending"
                        + " WHERE bus = ? AND signal_id = ?)")) {
            query.setString(1, bus.name());
            query.setString(2, signalId);
            query.setString(3, bus.name());
            query.setString(4, signalId);
            try (ResultSet rs = query.executeQuery()) {
                rs.next();
                return rs.getInt(1) == 1;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
