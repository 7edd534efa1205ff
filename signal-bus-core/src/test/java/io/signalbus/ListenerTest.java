package io.signalbus;

import static io.signalbus.testing.FastAwait.await;
import static io.signalbus.testing.TestBuses.signal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalbus.store.InMemorySignalStore;
import io.signalbus.testing.MutableClock;
import io.signalbus.testing.RecordingHandler;
import io.signalbus.testing.TestBuses;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The listener SPI sees every step of a signal's life, with the right bus, subscription and positions. */
class ListenerTest {

    private final MutableClock clock = MutableClock.startingAt("2026-03-01T10:00:00Z");
    private final InMemorySignalStore store = new InMemorySignalStore();
    private final RecordingListener listener = new RecordingListener();
    private SignalBus bus = TestBuses.builder(store, clock).name("orders").listener(listener).build();

    @AfterEach
    void close() {
        bus.close();
    }

    record Published(String bus, List<Long> positions) {
    }

    record Delivering(String bus, String subscriptionId, long position, int attempt, long recordedPosition) {
    }

    record Handled(String bus, String subscriptionId, long position, int attempt, boolean durationKnown,
            @Nullable Throwable failure) {
    }

    record Acked(String bus, String subscriptionId, long position, int attempt) {
    }

    record Nacked(String bus, String subscriptionId, long position, int attempt, Throwable reason) {
    }

    record TimedOut(String bus, String subscriptionId, long position, int attempt) {
    }

    record DeadLettered(String bus, DeadLetter deadLetter) {
    }

    record Redriven(String bus, String subscriptionId, int count) {
    }

    record Checkpointed(String bus, String subscriptionId, Checkpoint checkpoint) {
    }

    /** Records each callback as a value. */
    static final class RecordingListener implements SignalBusListener {

        final List<Object> events = new CopyOnWriteArrayList<>();

        <T> List<T> events(Class<T> type) {
            return events.stream().filter(type::isInstance).map(type::cast).toList();
        }

        @Override
        public void published(String busName, List<RecordedSignal> signals) {
            events.add(new Published(busName, signals.stream().map(RecordedSignal::position).toList()));
        }

        @Override
        public void delivering(String busName, Delivery delivery, RecordedSignal recorded) {
            events.add(new Delivering(busName, delivery.subscriptionId(), delivery.position(), delivery.attempt(),
                    recorded.position()));
        }

        @Override
        public void handled(String busName, Delivery delivery, Duration duration, @Nullable Throwable failure) {
            events.add(new Handled(busName, delivery.subscriptionId(), delivery.position(), delivery.attempt(),
                    duration != null && !duration.isNegative(), failure));
        }

        @Override
        public void acked(String busName, String subscriptionId, long position, int attempt) {
            events.add(new Acked(busName, subscriptionId, position, attempt));
        }

        @Override
        public void nacked(String busName, String subscriptionId, long position, int attempt, Throwable reason) {
            events.add(new Nacked(busName, subscriptionId, position, attempt, reason));
        }

        @Override
        public void timedOut(String busName, String subscriptionId, long position, int attempt) {
            events.add(new TimedOut(busName, subscriptionId, position, attempt));
        }

        @Override
        public void deadLettered(String busName, DeadLetter deadLetter) {
            events.add(new DeadLettered(busName, deadLetter));
        }

        @Override
        public void redriven(String busName, String subscriptionId, int count) {
            events.add(new Redriven(busName, subscriptionId, count));
        }

        @Override
        public void checkpointed(String busName, String subscriptionId, Checkpoint checkpoint) {
            events.add(new Checkpointed(busName, subscriptionId, checkpoint));
        }
    }

    /** A listener that fails on every callback. */
    static final class ThrowingListener implements SignalBusListener {

        @Override
        public void published(String busName, List<RecordedSignal> signals) {
            throw new IllegalStateException("listener broken");
        }

        @Override
        public void delivering(String busName, Delivery delivery, RecordedSignal recorded) {
            throw new IllegalStateException("listener broken");
        }

        @Override
        public void handled(String busName, Delivery delivery, Duration duration, @Nullable Throwable failure) {
            throw new IllegalStateException("listener broken");
        }

        @Override
        public void acked(String busName, String subscriptionId, long position, int attempt) {
            throw new IllegalStateException("listener broken");
        }

        @Override
        public void nacked(String busName, String subscriptionId, long position, int attempt, Throwable reason) {
            throw new IllegalStateException("listener broken");
        }

        @Override
        public void timedOut(String busName, String subscriptionId, long position, int attempt) {
            throw new IllegalStateException("listener broken");
        }

        @Override
        public void deadLettered(String busName, DeadLetter deadLetter) {
            throw new IllegalStateException("listener broken");
        }

        @Override
        public void redriven(String busName, String subscriptionId, int count) {
            throw new IllegalStateException("listener broken");
        }

        @Override
        public void checkpointed(String busName, String subscriptionId, Checkpoint checkpoint) {
            throw new IllegalStateException("listener broken");
        }
    }

    @Test
    void publishedReportsTheBusAndThePositionsOfTheCall() {
        bus.publish(signal("audit.viewed", 1));

        bus.publish(signal("order.created", 2), signal("order.updated", 3));

        assertThat(listener.events(Published.class)).containsExactly(new Published("orders", List.of(1L)),
                new Published("orders", List.of(2L, 3L)));
    }

    @Test
    void publishedIsNotReportedForARejectedPublish() {
        bus.close();
        bus = TestBuses.builder(store, clock).name("small").maxPayloadSize(16).listener(listener).build();

        assertThatThrownBy(() -> bus.publish(Signal.of("a.b", "s", Map.of("text", "x".repeat(100)))))
                .isInstanceOf(SignalTooLargeException.class);

        assertThat(listener.events(Published.class)).isEmpty();
    }

    @Test
    void deliveringHandledAndAckedReportEachAttemptWithItsPosition() {
        bus.publish(signal("audit.viewed", 1));
        bus.subscribe("order.**", SubscribeOptions.persistent("order_processor"), RecordingHandler.acking());

        bus.publish(signal("order.created", 2));

        await().until(() -> !listener.events(Handled.class).isEmpty());
        assertThat(listener.events(Delivering.class))
                .containsExactly(new Delivering("orders", "order_processor", 2, 1, 2));
        assertThat(listener.events(Handled.class))
                .containsExactly(new Handled("orders", "order_processor", 2, 1, true, null));
        assertThat(listener.events(Acked.class)).containsExactly(new Acked("orders", "order_processor", 2, 1));
    }

    @Test
    void handlerFailureIsReportedAsHandledWithTheFailureAndAsNacked() {
        var handler = RecordingHandler.manual().failingWhen(d -> true);
        bus.subscribe("order.**", SubscribeOptions.persistent("order_processor"), handler);

        bus.publish(signal("order.created", 1));

        await().until(() -> !listener.events(Nacked.class).isEmpty());
        Handled handled = listener.events(Handled.class).get(0);
        assertThat(handled.failure()).isInstanceOf(IllegalStateException.class);
        assertThat(handled.position()).isEqualTo(1);
        Nacked nacked = listener.events(Nacked.class).get(0);
        assertThat(nacked).isEqualTo(new Nacked("orders", "order_processor", 1, 1, handled.failure()));
    }

    @Test
    void nackThroughTheDeliveryIsReported() {
        var handler = RecordingHandler.manual();
        bus.subscribe("order.**", SubscribeOptions.persistent("order_processor"), handler);
        bus.publish(signal("audit.viewed", 1), signal("order.created", 2));
        await().until(() -> handler.count() == 1);
        var reason = new IllegalArgumentException("invalid order");

        handler.last().nack(reason);

        assertThat(listener.events(Nacked.class)).containsExactly(new Nacked("orders", "order_processor", 2, 1, reason));
        assertThat(listener.events(Handled.class)).extracting(Handled::failure).containsOnlyNulls();
    }

    @Test
    void ackTimeoutIsReportedAsTimedOut() {
        var handler = RecordingHandler.manual();
        bus.subscribe("order.**", SubscribeOptions.persistent("order_processor").ackTimeout(Duration.ofSeconds(5)),
                handler);
        bus.publish(signal("order.created", 1));
        await().until(() -> handler.count() == 1);

        clock.advance(Duration.ofSeconds(5));

        await().until(() -> !listener.events(TimedOut.class).isEmpty());
        assertThat(listener.events(TimedOut.class)).containsExactly(new TimedOut("orders", "order_processor", 1, 1));
        assertThat(listener.events(Nacked.class)).as("a timeout is not a nack").isEmpty();
    }

    @Test
    void deadLetterIsReportedWithTheStoredDeadLetter() {
        var handler = RecordingHandler.manual();
        bus.subscribe("order.**", SubscribeOptions.persistent("order_processor").maxAttempts(1), handler);
        bus.publish(signal("audit.viewed", 1), signal("order.created", 2));
        await().until(() -> handler.count() == 1);

        handler.last().nack(new IllegalArgumentException("invalid order"));

        await().until(() -> !listener.events(DeadLettered.class).isEmpty());
        DeadLettered event = listener.events(DeadLettered.class).get(0);
        assertThat(event.bus()).isEqualTo("orders");
        assertThat(event.deadLetter()).isEqualTo(bus.deadLetters("order_processor").get(0));
        assertThat(event.deadLetter().position()).isEqualTo(2);
    }

    @Test
    void redriveIsReportedWithTheCount() {
        var handler = RecordingHandler.manual();
        bus.subscribe("order.**", SubscribeOptions.persistent("order_processor").maxAttempts(1), handler);
        bus.publish(signal("order.created", 1), signal("order.created", 2));
        await().until(() -> handler.count() == 2);
        handler.deliveries().forEach(d -> d.nack(new IllegalArgumentException("invalid order")));

        bus.redriveDeadLetters("order_processor", 10);

        assertThat(listener.events(Redriven.class)).containsExactly(new Redriven("orders", "order_processor", 2));
    }

    @Test
    void checkpointWritesAreReportedWithTheStoredCheckpoint() {
        var handler = RecordingHandler.manual();
        bus.subscribe("order.**", SubscribeOptions.persistent("order_processor"), handler);
        bus.publish(signal("order.created", 1), signal("audit.viewed", 2), signal("order.created", 3));
        await().until(() -> handler.count() == 2);

        handler.deliveries().get(0).ack();
        await().until(() -> !listener.events(Checkpointed.class).isEmpty());
        handler.deliveries().get(1).ack();
        await().until(() -> listener.events(Checkpointed.class).size() == 2);

        assertThat(listener.events(Checkpointed.class)).extracting(Checkpointed::bus, Checkpointed::subscriptionId,
                c -> c.checkpoint().position()).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("orders", "order_processor", 2L),
                        org.assertj.core.groups.Tuple.tuple("orders", "order_processor", 3L));
        assertThat(listener.events(Checkpointed.class).get(1).checkpoint())
                .isEqualTo(store.findSubscription("orders", "order_processor").orElseThrow().checkpoint());
    }

    @Test
    void aThrowingListenerDoesNotBreakDelivery() {
        bus.close();
        bus = TestBuses.builder(store, clock).name("orders").listener(new ThrowingListener()).listener(listener)
                .build();
        var handler = RecordingHandler.acking().failingWhen(d -> d.attempt() == 1);
        bus.subscribe("order.**", SubscribeOptions.persistent("order_processor"), handler);

        bus.publish(signal("order.created", 1));
        // lastError is set under the worker's lock together with the retry time
        await().until(() -> bus.status().subscriptions().get(0).lastError() != null);
        clock.advance(Duration.ofSeconds(1));

        await().until(() -> handler.count() == 2);
        await().until(() -> store.findSubscription("orders", "order_processor").orElseThrow().checkpoint()
                .position() == 1);
        assertThat(listener.events(Published.class)).hasSize(1);
        assertThat(listener.events(Acked.class)).containsExactly(new Acked("orders", "order_processor", 1, 2));
        await().until(() -> listener.events(Checkpointed.class).size() == 1);
    }
}
