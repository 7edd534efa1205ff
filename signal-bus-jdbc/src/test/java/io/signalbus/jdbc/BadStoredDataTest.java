package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.signalbus.DeadLetter;
import io.signalbus.Delivery;
import io.signalbus.InvalidSignalException;
import io.signalbus.RecordedSignal;
import io.signalbus.ReplayOptions;
import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.StartFrom;
import io.signalbus.SubscribeOptions;
import io.signalbus.store.UndecodableSignals;
import java.sql.Connection;
import java.sql.PreparedStatement;
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

/**
 * What the database holds cannot stall the bus: a log row that cannot be decoded is dead-lettered
 * for every subscription and reported by replay, and an error message PostgreSQL would refuse
 * (a NUL) does not keep a dead letter from being written.
 */
abstract class BadStoredDataTest {

    /** Not a CloudEvents 1.0 envelope: what an older version, or a hand edit, may have left. */
    private static final String UNDECODABLE = "{\"specversion\":\"0.3\",\"type\":\"order.created\",\"id\":\"x\"}";

    private final String busName = "bad_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
    private JdbcSignalStore store;
    private SignalBus bus;

    abstract DataSource dataSource();

    @BeforeEach
    void startBus() {
        store = new JdbcSignalStore(dataSource());
        bus = SignalBus.builder().name(busName).store(store).pollInterval(Duration.ofMillis(20)).build();
    }

    @AfterEach
    void closeBus() {
        bus.close();
        store.close();
    }

    @Test
    void anUndecodableRowIsDeadLetteredForEverySubscriptionWhileTheNextSignalsAreDelivered() throws SQLException {
        bus.publish(order(1), order(2), order(3));
        overwriteEnvelope(2, UNDECODABLE);
        var orders = new CopyOnWriteArrayList<Long>();

        bus.subscribe("order.**", SubscribeOptions.persistent("orders").startFrom(StartFrom.origin()),
                delivery -> record(orders, delivery));
        bus.subscribe("audit.**", SubscribeOptions.persistent("audits").startFrom(StartFrom.origin()),
                Delivery::ack);
        bus.publish(order(4));

        await().atMost(Duration.ofSeconds(10)).until(() -> orders.size() == 3
                && bus.deadLetters("orders").size() == 1 && bus.deadLetters("audits").size() == 1);
        assertThat(orders).containsExactly(1L, 3L, 4L);
        for (String subscription : List.of("orders", "audits")) {
            DeadLetter deadLetter = bus.deadLetters(subscription).get(0);
            assertThat(deadLetter.position()).isEqualTo(2);
            assertThat(deadLetter.signal().type()).isEqualTo(UndecodableSignals.TYPE);
            assertThat(deadLetter.signal().data()).isEqualTo(UNDECODABLE);
            assertThat(deadLetter.errorType()).isEqualTo(InvalidSignalException.class.getName());
            assertThat(deadLetter.errorMessage()).contains("position 2", "specversion '0.3' is not supported");
        }
    }

    @Test
    void replayReportsAnUndecodableRowAndReturnsTheOtherSignals() throws SQLException {
        bus.publish(order(1), order(2), order(3));
        overwriteEnvelope(2, "not json at all");

        List<RecordedSignal> replayed = bus.replay("**", ReplayOptions.fromOrigin());

        assertThat(replayed).extracting(RecordedSignal::position).containsExactly(1L, 2L, 3L);
        assertThat(replayed).extracting(r -> r.signal().type())
                .containsExactly("order.created", UndecodableSignals.TYPE, "order.created");
        assertThat(replayed.get(1).signal().data()).isEqualTo("not json at all");
        assertThat(replayed.get(1).signal().extensions().get(UndecodableSignals.REASON_EXTENSION).toString())
                .contains("malformed signal JSON");
    }

    @Test
    void aHandlerErrorWithANulCharacterIsDeadLetteredNormally() {
        bus.subscribe("order.**", SubscribeOptions.persistent("nul").startFrom(StartFrom.origin()).maxAttempts(1),
                delivery -> {
                    throw new RuntimeException("bad\u0000byte");
                });

        bus.publish(order(1));

        await().atMost(Duration.ofSeconds(10)).until(() -> bus.deadLetters("nul").size() == 1);
        assertThat(bus.deadLetters("nul").get(0).errorMessage()).isEqualTo("bad\uFFFDbyte");
    }

    private static void record(List<Long> positions, Delivery delivery) {
        positions.add(delivery.position());
        delivery.ack();
    }

    private static Signal order(int number) {
        return Signal.of("order.created", "/orders", Map.of("order_id", "order-" + number));
    }

    /** Replaces what the log holds at {@code position}, with plain JDBC, as a hand edit would. */
    private void overwriteEnvelope(long position, String envelope) throws SQLException {
        try (Connection connection = dataSource().getConnection();
                PreparedStatement update = connection.prepareStatement(
                        "UPDATE signal_bus_log SET envelope = ? WHERE bus = ? AND position = ?")) {
            update.setString(1, envelope);
            update.setString(2, busName);
            update.setLong(3, position);
            assertThat(update.executeUpdate()).isOne();
        }
    }
}
