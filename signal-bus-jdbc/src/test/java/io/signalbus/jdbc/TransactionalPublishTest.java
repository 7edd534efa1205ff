package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.signalbus.Delivery;
import io.signalbus.InvalidSignalException;
import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.StartFrom;
import io.signalbus.SubscribeOptions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** Invariant 3: publish joins a Spring transaction on the same DataSource; subscribers hear of it after commit. */
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
    void publishInACommittedTransactionWakesSubscribersOnlyAfterTheCommit() {
        Signal signal = Signal.of("order.created", "tx-test", Map.of("n", 1));

        transaction.executeWithoutResult(status -> {
            bus.publish(signal);
            assertThat(woken).isEmpty();
            assertThat(committedElsewhere(signal.id())).isFalse();
        });

        assertThat(woken).containsExactly(new Woken(signal.id(), true));
        await().atMost(Duration.ofSeconds(10)).until(() -> persistent.size() == 1);
        assertThat(persistent.get(0).signal().id()).isEqualTo(signal.id());
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
        });

        assertThat(store.read(bus.name(), 0, 10)).extracting(r -> r.signal().id())
                .containsExactly(first.id(), second.id());
    }

    /** Whether a connection outside any transaction sees the signal: it is committed. */
    private boolean committedElsewhere(String signalId) {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement(
                        "SELECT COUNT(*) FROM signal_bus_log WHERE signal_id = ?")) {
            query.setString(1, signalId);
            try (ResultSet rs = query.executeQuery()) {
                rs.next();
                return rs.getInt(1) == 1;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
