package io.signalbus;

import static io.signalbus.testing.TestBuses.signal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalbus.testing.RecordingHandler;
import io.signalbus.testing.TestBuses;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PublishTest extends InMemoryBusTest {

    @Override
    protected SignalBus newBus() {
        return TestBuses.builder(store, clock).name("orders").build();
    }

    @Test
    void publishReturnsRecordedSignalsWithIncreasingPositionsFromOne() {
        List<RecordedSignal> first = bus.publish(signal("order.created", 1), signal("order.updated", 2));
        List<RecordedSignal> second = bus.publish(List.of(signal("order.cancelled", 3)));

        assertThat(first).extracting(RecordedSignal::position).containsExactly(1L, 2L);
        assertThat(second).extracting(RecordedSignal::position).containsExactly(3L);
        assertThat(store.head("orders")).isEqualTo(3);
    }

    @Test
    void publishStampsSignalsWithoutATimeWithTheBusClock() {
        Signal timed = Signal.builder("a.b").source("s").time(Instant.parse("2020-01-01T00:00:00Z")).build();

        List<RecordedSignal> recorded = bus.publish(signal("a.b", 1), timed);

        assertThat(recorded.get(0).signal().time()).isEqualTo(clock.instant());
        assertThat(recorded.get(1).signal().time()).isEqualTo(Instant.parse("2020-01-01T00:00:00Z"));
        assertThat(recorded.get(0).recordedAt()).isEqualTo(clock.instant());
    }

    @Test
    void recordedTimeNeverGoesBackwardsWhenTheClockDoes() {
        bus.publish(signal("a.b", 1));
        clock.advance(Duration.ofSeconds(-30));

        RecordedSignal later = bus.publish(signal("a.b", 2)).get(0);

        assertThat(later.recordedAt()).isEqualTo(Instant.parse("2026-03-01T10:00:00Z"));
    }

    @Test
    void aBatchWithOneOversizedSignalWritesNothing() {
        bus.close();
        bus = TestBuses.builder(store, clock).name("small").maxPayloadSize(256).build();
        Signal big = Signal.of("a.b", "s", Map.of("text", "x".repeat(300)));

        assertThatThrownBy(() -> bus.publish(signal("a.b", 1), big))
                .isInstanceOf(SignalTooLargeException.class)
                .hasMessageContaining(big.id())
                .hasMessageContaining("256")
                .hasMessageContaining("signal-bus.max-payload-size");
        assertThat(store.head("small")).isZero();
    }

    @Test
    void theWholeEnvelopeCountsTowardsMaxPayloadSize() {
        bus.close();
        bus = TestBuses.builder(store, clock).name("small").maxPayloadSize(1024).build();
        Signal hugeSubject = Signal.builder("a.b").source("s").subject("x".repeat(2000)).build();
        Signal hugeExtension = Signal.builder("a.b").source("s").extension("note", "x".repeat(2000)).build();

        for (Signal signal : List.of(hugeSubject, hugeExtension)) {
            assertThatThrownBy(() -> bus.publish(signal))
                    .isInstanceOf(SignalTooLargeException.class)
                    .hasMessageContaining(signal.id())
                    .hasMessageContaining("signal-bus.max-payload-size");
        }
        assertThat(store.head("small")).isZero();
    }

    @Test
    void dataNested500DeepIsRefusedAtPublishBecauseTheLogCouldNotReadItBack() {
        Signal deep = Signal.of("a.b", "s", nested(500));

        assertThatThrownBy(() -> bus.publish(deep))
                .isInstanceOf(InvalidSignalException.class)
                .hasMessageContaining(deep.id())
                .hasMessageContaining("nested deeper than 499");
        assertThat(store.head("orders")).isZero();
    }

    @Test
    void dataNested499DeepIsPublishedAndReadsBack() {
        Signal deep = Signal.of("a.b", "s", nested(499));

        bus.publish(deep);

        var codec = new io.signalbus.json.SignalJson();
        assertThat(codec.decode(codec.encode(deep)).data()).isEqualTo(deep.data());
    }

    @Test
    void aHugeKeyIsRefusedAtPublish() {
        Signal hugeKey = Signal.of("a.b", "s", Map.of("k".repeat(50_001), 1));

        assertThatThrownBy(() -> bus.publish(hugeKey))
                .isInstanceOf(InvalidSignalException.class)
                .hasMessageContaining(hugeKey.id())
                .hasMessageContaining("Name length (50001) exceeds the maximum allowed (50000");
    }

    @Test
    void aHugeNumberIsRefusedAtPublish() {
        Signal hugeNumber = Signal.of("a.b", "s", Map.of("n", new java.math.BigInteger("9".repeat(1001))));

        assertThatThrownBy(() -> bus.publish(hugeNumber))
                .isInstanceOf(InvalidSignalException.class)
                .hasMessageContaining(hugeNumber.id())
                .hasMessageContaining("Number value length (1001) exceeds the maximum allowed (1000");
    }

    @Test
    void theTypeReservedForUndecodableRowsCannotBePublished() {
        assertThatThrownBy(() -> bus.publish(Signal.of(io.signalbus.store.UndecodableSignals.TYPE, "s", null)))
                .isInstanceOf(InvalidSignalException.class)
                .hasMessageContaining("reserved");
    }

    private static Object nested(int depth) {
        Object data = 1;
        for (int i = 0; i < depth; i++) {
            data = Map.of("a", data);
        }
        return data;
    }

    @Test
    void aBatchWithANullSignalWritesNothing() {
        var signals = new ArrayList<Signal>();
        signals.add(signal("a.b", 1));
        signals.add(null);

        assertThatThrownBy(() -> bus.publish(signals))
                .isInstanceOf(InvalidSignalException.class)
                .hasMessageContaining("signal 1 of 2 is null");
        assertThat(store.head("orders")).isZero();
    }

    @Test
    void publishingNothingWritesNothing() {
        assertThat(bus.publish(List.of())).isEmpty();
        assertThat(store.head("orders")).isZero();
    }

    @Test
    void republishingASignalIdIsRejectedAndWritesNothing() {
        RecordedSignal first = bus.publish(signal("a.b", 1)).get(0);

        assertThatThrownBy(() -> bus.publish(signal("a.b", 2), first.signal()))
                .isInstanceOf(InvalidSignalException.class)
                .hasMessageContaining(first.signal().id());
        assertThat(store.head("orders")).isEqualTo(1);
    }

    @Test
    void anInterceptorCanTransformSignalsBeforeTheyAreWritten() {
        bus.close();
        bus = TestBuses.builder(store, clock).name("intercepted")
                .interceptor((busName, s) -> s.toBuilder().extension("tenant", "acme").build())
                .build();

        RecordedSignal recorded = bus.publish(signal("a.b", 1)).get(0);

        assertThat(recorded.signal().extensions()).containsEntry("tenant", "acme");
        assertThat(store.read("intercepted", 0, 1).get(0).signal().extensions()).containsEntry("tenant", "acme");
    }

    @Test
    void anInterceptorVetoWritesNothingOfTheCall() {
        bus.close();
        bus = TestBuses.builder(store, clock).name("vetoed")
                .interceptor((busName, s) -> {
                    if (s.type().startsWith("forbidden")) {
                        throw new PublishRejectedException("type " + s.type() + " is not allowed on " + busName);
                    }
                    return s;
                })
                .build();

        assertThatThrownBy(() -> bus.publish(signal("a.b", 1), signal("forbidden.x", 2)))
                .isInstanceOf(PublishRejectedException.class)
                .hasMessageContaining("forbidden.x");
        assertThat(store.head("vetoed")).isZero();
    }

    @Test
    void aFailingTransientSubscriberNeverFailsThePublisherOrOtherSubscribers() {
        var healthy = RecordingHandler.acking();
        bus.subscribe("a.*", SubscribeOptions.defaults().priority(10), d -> {
            throw new IllegalStateException("boom");
        });
        bus.subscribe("a.*", healthy);

        List<RecordedSignal> recorded = bus.publish(signal("a.b", 1));

        assertThat(recorded).hasSize(1);
        assertThat(healthy.count()).isEqualTo(1);
    }

    @Test
    void transientSubscribersReceiveInPriorityThenRegistrationOrder() {
        var order = new ArrayList<String>();
        bus.subscribe("order.**", SubscribeOptions.defaults(), d -> order.add("low-first"));
        bus.subscribe("order.created", SubscribeOptions.defaults().priority(100), d -> order.add("high"));
        bus.subscribe("order.*", SubscribeOptions.defaults(), d -> order.add("low-second"));
        bus.subscribe("payment.*", SubscribeOptions.defaults().priority(100), d -> order.add("never"));
        bus.subscribe("order.created", SubscribeOptions.defaults().priority(-5), d -> order.add("negative"));

        bus.publish(signal("order.created", 1));

        assertThat(order).containsExactly("high", "low-first", "low-second", "negative");
    }

    @Test
    void unsubscribedTransientHandlersReceiveNothing() {
        var handler = RecordingHandler.acking();
        String id = bus.subscribe("a.b", handler);
        bus.unsubscribe(id);

        bus.publish(signal("a.b", 1));

        assertThat(handler.count()).isZero();
    }

    @Test
    void handlerDecoratorsWrapTransientAndPersistentHandlersFirstOutermost() {
        bus.close();
        var calls = new java.util.concurrent.CopyOnWriteArrayList<String>();
        bus = TestBuses.builder(store, clock).name("decorated")
                .handlerDecorator((busName, id, handler) -> d -> {
                    calls.add(id + ":outer");
                    handler.handle(d);
                })
                .handlerDecorator((busName, id, handler) -> d -> {
                    calls.add(id + ":inner on " + busName);
                    handler.handle(d);
                })
                .build();
        String transientId = bus.subscribe("a.b", d -> calls.add(d.subscriptionId() + ":handler"));
        bus.subscribe("a.b", SubscribeOptions.persistent("p"), d -> {
            calls.add("p:handler");
            d.ack();
        });

        bus.publish(signal("a.b", 1));

        // the two subscriptions run on different threads: check the order within each
        org.awaitility.Awaitility.await().until(() -> calls.size() == 6);
        assertThat(calls).filteredOn(c -> c.startsWith(transientId + ":"))
                .containsExactly(transientId + ":outer", transientId + ":inner on decorated", transientId + ":handler");
        assertThat(calls).filteredOn(c -> c.startsWith("p:"))
                .containsExactly("p:outer", "p:inner on decorated", "p:handler");
    }

    @Test
    void aClosedBusRejectsPublishAndSubscribe() {
        bus.close();

        assertThatThrownBy(() -> bus.publish(signal("a.b", 1))).isInstanceOf(BusClosedException.class)
                .hasMessageContaining("orders");
        assertThatThrownBy(() -> bus.subscribe("a.b", RecordingHandler.acking()))
                .isInstanceOf(BusClosedException.class);
    }

    @Test
    void invalidBusNamesAreRejected() {
        assertThatThrownBy(() -> SignalBus.builder().name("has space"))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("'has space'");
    }
}
