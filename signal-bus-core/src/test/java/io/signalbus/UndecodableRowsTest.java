package io.signalbus;

import static io.signalbus.testing.TestBuses.signal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.signalbus.store.UndecodableSignals;
import io.signalbus.testing.DelegatingSignalStore;
import io.signalbus.testing.RecordingHandler;
import io.signalbus.testing.TestBuses;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A log row the store cannot decode reaches the bus as a placeholder (as the JDBC store returns it):
 * the bus dead-letters it for every persistent subscription, whatever its pattern, and goes on; replay
 * returns it with the other signals.
 */
class UndecodableRowsTest extends InMemoryBusTest {

    private static final String RAW = "{\"specversion\":\"0.3\",\"type\":\"order.created\"";

    @Override
    protected SignalBus newBus() {
        // position 2 reads back as a store that cannot decode it returns it
        var corrupting = new DelegatingSignalStore(store) {
            @Override
            public List<RecordedSignal> read(String busName, long afterPosition, int limit) {
                return delegate.read(busName, afterPosition, limit).stream().map(this::corrupt).toList();
            }

            @Override
            public Optional<RecordedSignal> signalAt(String busName, long position) {
                return delegate.signalAt(busName, position).map(this::corrupt);
            }

            private RecordedSignal corrupt(RecordedSignal recorded) {
                return recorded.position() != 2 ? recorded : UndecodableSignals.placeholder(2,
                        recorded.recordedAt(), RAW, "specversion '0.3' is not supported");
            }
        };
        return TestBuses.builder(corrupting, clock).name("orders").build();
    }

    @Test
    void anUndecodableRowIsDeadLetteredForEverySubscriptionWhileTheOthersAreDelivered() {
        bus.publish(signal("order.created", 1), signal("order.created", 2), signal("order.created", 3));
        var orders = RecordingHandler.acking();
        var audits = RecordingHandler.acking();

        bus.subscribe("order.**", SubscribeOptions.persistent("orders").startFrom(StartFrom.origin()), orders);
        bus.subscribe("audit.**", SubscribeOptions.persistent("audits").startFrom(StartFrom.origin()), audits);
        bus.publish(signal("order.created", 4));

        await().until(() -> orders.count() == 3 && status("orders").checkpoint().position() == 4
                && status("audits").checkpoint().position() == 4);
        assertThat(orders.positions()).containsExactly(1L, 3L, 4L);
        assertThat(audits.count()).isZero();
        for (String subscription : List.of("orders", "audits")) {
            assertThat(bus.deadLetters(subscription)).singleElement().satisfies(deadLetter -> {
                assertThat(deadLetter.position()).isEqualTo(2);
                assertThat(deadLetter.attempts()).isZero();
                assertThat(deadLetter.signal().type()).isEqualTo(UndecodableSignals.TYPE);
                assertThat(deadLetter.signal().data()).isEqualTo(RAW);
                assertThat(deadLetter.errorType()).isEqualTo(InvalidSignalException.class.getName());
                assertThat(deadLetter.errorMessage()).contains("position 2", "specversion '0.3' is not supported");
            });
        }
    }

    @Test
    void aRedrivenPlaceholderIsDeadLetteredAgainWithoutReachingTheHandler() {
        bus.publish(signal("order.created", 1), signal("order.created", 2));
        var orders = RecordingHandler.acking();
        bus.subscribe("order.**", SubscribeOptions.persistent("orders").startFrom(StartFrom.origin()), orders);
        await().until(() -> status("orders").checkpoint().position() == 2 && status("orders").deadLetters() == 1);

        assertThat(bus.redriveDeadLetters("orders", 10)).isEqualTo(1);
        bus.publish(signal("order.created", 3)); // delivered after the redriven one is dealt with

        await().until(() -> orders.count() == 2);
        assertThat(orders.positions()).containsExactly(1L, 3L);
        assertThat(bus.deadLetters("orders")).extracting(DeadLetter::position).containsExactly(2L);
    }

    @Test
    void replayReturnsThePlaceholderOfAnUndecodableRowWithTheOtherSignals() {
        bus.publish(signal("order.created", 1), signal("order.created", 2), signal("order.created", 3));

        List<RecordedSignal> all = bus.replay("**", ReplayOptions.fromOrigin());
        List<RecordedSignal> orders = bus.replay("order.created", ReplayOptions.fromOrigin());

        assertThat(all).extracting(RecordedSignal::position).containsExactly(1L, 2L, 3L);
        assertThat(all.get(1).signal().type()).isEqualTo(UndecodableSignals.TYPE);
        assertThat(UndecodableSignals.isPlaceholder(all.get(1).signal())).isTrue();
        assertThat(orders).extracting(RecordedSignal::position).containsExactly(1L, 2L, 3L);
    }
}
