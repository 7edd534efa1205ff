package io.signalbus;

import static io.signalbus.testing.FastAwait.await;
import static io.signalbus.testing.TestBuses.signal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalbus.testing.RecordingHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Acknowledgement by id and by batch, and invariant 11 for ack and nack: bad input fails and changes nothing. */
class AckTest extends InMemoryBusTest {

    private static final Duration NOTHING_HAPPENS = Duration.ofMillis(100);

    private List<Signal> publish(int count, String type) {
        return bus.publish(IntStream.rangeClosed(1, count).mapToObj(i -> signal(type, i)).toList()).stream()
                .map(RecordedSignal::signal).toList();
    }

    @Test
    void ackBySubscriptionAndSignalIdSettlesTheDelivery() {
        var handler = RecordingHandler.manual();
        bus.subscribe("payment.processed", SubscribeOptions.persistent("payment_processor"), handler);
        Signal payment = publish(1, "payment.processed").get(0);
        await().until(() -> handler.count() == 1);

        bus.ack("payment_processor", payment.id());

        assertThat(status("payment_processor").checkpoint().position()).isEqualTo(1);
        assertThat(status("payment_processor").inFlight()).isZero();
        clock.advance(Duration.ofSeconds(31));
        await().during(NOTHING_HAPPENS).until(() -> handler.count() == 1);
        assertThat(status("payment_processor").lastError()).isNull();
    }

    @Test
    void ackOfAListSettlesTheWholeBatch() {
        var handler = RecordingHandler.manual();
        bus.subscribe("batch.item.**", SubscribeOptions.persistent("batch_processor").maxInFlight(500), handler);
        List<Signal> items = publish(250, "batch.item.added");
        await().until(() -> handler.count() == 250);

        bus.ack("batch_processor", items.subList(0, 100).stream().map(Signal::id).toList());

        assertThat(status("batch_processor").checkpoint().position()).isEqualTo(100);
        assertThat(status("batch_processor").inFlight()).isEqualTo(150);

        bus.ack("batch_processor", items.subList(100, 200).stream().map(Signal::id).toList());

        assertThat(status("batch_processor").checkpoint().position()).isEqualTo(200);
        assertThat(status("batch_processor").inFlight()).isEqualTo(50);
    }

    @Test
    void repeatedAckIsANoOp() {
        var handler = RecordingHandler.manual();
        bus.subscribe("a.b", SubscribeOptions.persistent("p"), handler);
        List<Signal> signals = publish(2, "a.b");
        await().until(() -> handler.count() == 2);
        String first = signals.get(0).id();
        bus.ack("p", first);

        assertThatCode(() -> {
            bus.ack("p", first);
            handler.deliveries().get(0).ack();
            bus.ack("p", List.of(first, first));
        }).doesNotThrowAnyException();
        assertThat(status("p").checkpoint().position()).isEqualTo(1);
        assertThat(status("p").inFlight()).isEqualTo(1);

        bus.unsubscribe("p");
        assertThatCode(() -> bus.ack("p", first)).as("on a disconnected subscription too").doesNotThrowAnyException();
    }

    @Test
    void ackOfASignalIdThatIsNotInTheLogFailsNamingIt() {
        bus.subscribe("a.b", SubscribeOptions.persistent("p"), RecordingHandler.manual());

        assertThatThrownBy(() -> bus.ack("p", "0190c5b2-0000-7000-8000-000000000000"))
                .isInstanceOf(UnknownSignalException.class)
                .hasMessageContaining("'0190c5b2-0000-7000-8000-000000000000'")
                .hasMessageContaining("'p'");
    }

    @Test
    void ackOfASignalThatIsNotDeliveredYetFails() {
        var handler = RecordingHandler.manual();
        bus.subscribe("a.b", SubscribeOptions.persistent("p").maxInFlight(2), handler);
        List<Signal> signals = publish(3, "a.b");
        await().until(() -> handler.count() == 2);
        await().during(NOTHING_HAPPENS).until(() -> handler.count() == 2);
        String third = signals.get(2).id();

        assertThatThrownBy(() -> bus.ack("p", third))
                .isInstanceOf(UnknownSignalException.class)
                .hasMessageContaining(third);

        assertThat(status("p").checkpoint().position()).isZero();
        assertThat(status("p").inFlight()).isEqualTo(2);
        handler.deliveries().forEach(Delivery::ack);
        await().until(() -> handler.count() == 3);
        assertThat(handler.last().position()).isEqualTo(3);
        assertThat(handler.last().attempt()).isEqualTo(1);
    }

    @Test
    void ackOfASignalTheSubscriptionNeverReceivedFails() {
        var payments = RecordingHandler.manual();
        var orders = RecordingHandler.manual();
        bus.subscribe("payment.**", SubscribeOptions.persistent("payments"), payments);
        bus.subscribe("order.**", SubscribeOptions.persistent("orders"), orders);
        Signal order = publish(1, "order.created").get(0);
        bus.publish(signal("payment.processed", 2));
        await().until(() -> orders.count() == 1 && payments.count() == 1);

        // a typo in the subscription id must not be swallowed: the order stays unacked for "orders"
        assertThatThrownBy(() -> bus.ack("payments", order.id()))
                .isInstanceOf(UnknownSignalException.class)
                .hasMessageContaining(order.id())
                .hasMessageContaining("'payments'");
        assertThat(status("orders").inFlight()).isEqualTo(1);
    }

    @Test
    void ackOnAnUnknownSubscriptionFailsNamingIt() {
        Signal published = publish(1, "a.b").get(0);

        assertThatThrownBy(() -> bus.ack("ghost_processor", published.id()))
                .isInstanceOf(SubscriptionNotFoundException.class)
                .hasMessageContaining("'ghost_processor'");
        assertThatThrownBy(() -> bus.ack("ghost_processor", List.of(published.id())))
                .isInstanceOf(SubscriptionNotFoundException.class)
                .hasMessageContaining("'ghost_processor'");
        assertThat(store.findSubscription("default", "ghost_processor")).isEmpty();
    }

    @Test
    void failedBatchAckChangesNothing() {
        var handler = RecordingHandler.manual();
        bus.subscribe("a.b", SubscribeOptions.persistent("p"), handler);
        List<Signal> signals = publish(2, "a.b");
        await().until(() -> handler.count() == 2);

        assertThatThrownBy(() -> bus.ack("p", List.of(signals.get(0).id(), "no-such-signal")))
                .isInstanceOf(UnknownSignalException.class)
                .hasMessageContaining("no-such-signal");

        assertThat(status("p").checkpoint().position()).as("checkpoint").isZero();
        assertThat(status("p").inFlight()).as("in flight").isEqualTo(2);
    }

    @Test
    void ackOnADisconnectedSubscriptionOfAnUnsettledSignalFails() {
        var handler = RecordingHandler.manual();
        bus.subscribe("a.b", SubscribeOptions.persistent("p"), handler);
        Signal published = publish(1, "a.b").get(0);
        await().until(() -> handler.count() == 1);
        bus.unsubscribe("p");

        assertThatThrownBy(() -> bus.ack("p", published.id()))
                .isInstanceOf(UnknownSignalException.class)
                .hasMessageContaining(published.id())
                .hasMessageContaining("not connected");
        assertThat(store.findSubscription("default", "p").orElseThrow().checkpoint().position()).isZero();
    }

    @Test
    void ackDuringTheBackoffSettlesTheSignal() {
        var handler = RecordingHandler.manual();
        bus.subscribe("a.b", SubscribeOptions.persistent("p"), handler);
        Signal published = publish(1, "a.b").get(0);
        await().until(() -> handler.count() == 1);
        handler.last().nack(new IllegalStateException("downstream unavailable"));

        bus.ack("p", published.id());

        assertThat(status("p").checkpoint().position()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(10));
        await().during(NOTHING_HAPPENS).until(() -> handler.count() == 1);
    }

    @Test
    void nackOfASignalIdThatIsNotInTheLogFailsNamingIt() {
        bus.subscribe("a.b", SubscribeOptions.persistent("p"), RecordingHandler.manual());

        assertThatThrownBy(() -> bus.nack("p", "no-such-signal", new IllegalStateException("x")))
                .isInstanceOf(UnknownSignalException.class)
                .hasMessageContaining("'no-such-signal'");
    }

    @Test
    void nackOnAnUnknownSubscriptionFailsNamingIt() {
        Signal published = publish(1, "a.b").get(0);

        assertThatThrownBy(() -> bus.nack("ghost_processor", published.id(), new IllegalStateException("x")))
                .isInstanceOf(SubscriptionNotFoundException.class)
                .hasMessageContaining("'ghost_processor'");
    }

    @Test
    void ackingATransientSubscriptionsSignalIsANoOp() {
        var deliveries = new CopyOnWriteArrayList<Delivery>();
        String id = bus.subscribe("a.b", deliveries::add);
        Signal published = publish(1, "a.b").get(0);
        assertThat(deliveries).hasSize(1);

        assertThatCode(() -> {
            deliveries.get(0).ack();
            deliveries.get(0).ack();
            bus.ack(id, published.id());
            bus.ack(id, List.of(published.id()));
        }).doesNotThrowAnyException();
        assertThat(deliveries).hasSize(1);
        assertThat(store.findSubscription("default", id)).isEmpty();
    }
}
