package io.signalbus;

import static io.signalbus.testing.FastAwait.await;
import static io.signalbus.testing.TestBuses.signal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.signalbus.router.SignalPattern;
import io.signalbus.testing.RecordingHandler;
import io.signalbus.testing.TestBuses;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** One test per flaw of Jido.Signal listed in the README's "Guarantees" table, stating the right behaviour. */
class JidoRegressionTest extends InMemoryBusTest {

    private Checkpoint storedCheckpoint(String id) {
        return store.findSubscription("default", id).orElseThrow().checkpoint();
    }

    @Test
    void ackingTheThirdSignalBeforeTheFirstTwoKeepsTheCheckpointAtZero() {
        // all three in one millisecond: a millisecond high-water mark would jump past 1 and 2
        var handler = RecordingHandler.manual();
        bus.subscribe("order.**", SubscribeOptions.persistent("p"), handler);
        List<RecordedSignal> recorded = bus.publish(signal("order.created", 1), signal("order.created", 2),
                signal("order.created", 3));
        await().until(() -> handler.count() == 3);

        bus.ack("p", recorded.get(2).signal().id());

        assertThat(status("p").checkpoint()).isEqualTo(Checkpoint.ORIGIN);
        bus.close();
        assertThat(storedCheckpoint("p")).isEqualTo(Checkpoint.ORIGIN);

        bus = TestBuses.builder(store, clock).build();
        var afterRestart = RecordingHandler.manual();
        assertThat(bus.reconnect("p", afterRestart).position()).isZero();
        await().until(() -> afterRestart.count() >= 2);
        assertThat(afterRestart.positions().subList(0, 2)).containsExactly(1L, 2L);
    }

    @Test
    void startFromIsHonouredForOriginCurrentInstantAndPosition() {
        bus.publish(signal("a.b", 1), signal("a.b", 2));
        clock.advance(Duration.ofMinutes(1));
        Instant later = clock.instant();
        bus.publish(signal("a.b", 3), signal("a.b", 4));
        var origin = RecordingHandler.acking();
        var current = RecordingHandler.acking();
        var instant = RecordingHandler.acking();
        var position = RecordingHandler.acking();

        bus.subscribe("a.b", SubscribeOptions.persistent("origin").startFrom(StartFrom.origin()), origin);
        bus.subscribe("a.b", SubscribeOptions.persistent("current").startFrom(StartFrom.current()), current);
        bus.subscribe("a.b", SubscribeOptions.persistent("instant").startFrom(StartFrom.at(later)), instant);
        bus.subscribe("a.b", SubscribeOptions.persistent("position").startFrom(StartFrom.position(2)), position);
        bus.publish(signal("a.b", 5));

        await().until(() -> origin.count() == 5 && current.count() == 1 && instant.count() == 3
                && position.count() == 4);
        assertThat(origin.positions()).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(current.positions()).containsExactly(5L);
        assertThat(instant.positions()).containsExactly(3L, 4L, 5L);
        assertThat(position.positions()).containsExactly(2L, 3L, 4L, 5L);
    }

    @Test
    void anUnackedDeliveryTimesOutAndIsRedelivered() {
        var handler = RecordingHandler.manual();
        bus.subscribe("a.b", SubscribeOptions.persistent("p"), handler);
        bus.publish(signal("a.b", 1));
        await().until(() -> handler.count() == 1);

        clock.advance(Duration.ofSeconds(30)); // the default ack timeout
        await().until(() -> status("p").lastError() != null);
        clock.advance(Duration.ofSeconds(1)); // the first backoff

        await().until(() -> handler.count() == 2);
        assertThat(handler.last().attempt()).isEqualTo(2);
        assertThat(status("p").lastError()).contains("not acked within PT30S");
    }

    @Test
    void reconnectReturnsTheCheckpointPositionAndRedeliversOnlyUnackedMatchingSignalsAsAckableDeliveries() {
        var first = RecordingHandler.manual();
        bus.subscribe("order.**", SubscribeOptions.persistent("processor_1"), first);
        bus.publish(signal("order.created", 1));
        clock.advance(Duration.ofSeconds(5)); // below the ack timeout
        Instant paymentTime = bus.publish(signal("payment.processed", 2)).get(0).signal().time();
        clock.advance(Duration.ofSeconds(5)); // below the ack timeout
        bus.publish(signal("order.updated", 3));
        clock.advance(Duration.ofSeconds(5)); // below the ack timeout
        bus.publish(signal("order.cancelled", 4));
        await().until(() -> first.count() == 3);
        first.deliveries().get(0).ack();
        bus.unsubscribe("processor_1");
        clock.advance(Duration.ofSeconds(5)); // below the ack timeout
        bus.publish(signal("audit.viewed", 5), signal("order.shipped", 6));

        var second = RecordingHandler.manual();
        Checkpoint checkpoint = bus.reconnect("processor_1", second);

        assertThat(checkpoint.position()).isEqualTo(2);
        assertThat(checkpoint.time()).isEqualTo(paymentTime).isBefore(clock.instant());
        await().until(() -> second.count() == 3);
        await().during(Duration.ofMillis(100)).until(() -> second.count() == 3);
        assertThat(second.positions()).containsExactly(3L, 4L, 6L);
        assertThat(second.types()).allMatch(type -> type.startsWith("order."));
        second.deliveries().forEach(Delivery::ack);
        assertThat(status("processor_1").checkpoint().position()).isEqualTo(6);
        assertThat(status("processor_1").inFlight()).isZero();
        await().until(() -> storedCheckpoint("processor_1").position() == 6);
    }

    @Test
    void tenThousandIdsAreStrictlyIncreasingEvenWithinOneMillisecond() {
        List<Signal> signals = new ArrayList<>(10_000);
        for (int i = 0; i < 10_000; i++) {
            signals.add(Signal.of("a.b", "test", null));
        }
        List<String> ids = signals.stream().map(Signal::id).toList();

        for (int i = 1; i < ids.size(); i++) {
            assertThat(ids.get(i)).as("id %d", i).isGreaterThan(ids.get(i - 1));
        }
        Map<Instant, Long> perMillisecond = ids.stream()
                .collect(Collectors.groupingBy(SignalIds::timestampOf, Collectors.counting()));
        assertThat(perMillisecond.values()).as("several ids share a millisecond").anyMatch(n -> n > 1);

        List<RecordedSignal> recorded = bus.publish(signals);
        assertThat(recorded).extracting(r -> r.signal().id()).isSortedAccordingTo(String::compareTo);
        assertThat(recorded).extracting(RecordedSignal::recordedAt).containsOnly(clock.instant());
    }

    @Test
    void auditDoubleStarMatchesAuditItselfInSubscribeReplayAndRouterAlike() {
        var transientTypes = new CopyOnWriteArrayList<String>();
        bus.subscribe("audit.**", d -> transientTypes.add(d.signal().type()));
        var persistent = RecordingHandler.acking();
        bus.subscribe("audit.**", SubscribeOptions.persistent("auditor"), persistent);

        bus.publish(signal("audit", 1), signal("auditing", 2), signal("audit.login", 3), signal("audit.user.deleted", 4));

        List<String> expected = List.of("audit", "audit.login", "audit.user.deleted");
        assertThat(transientTypes).as("router").containsExactlyElementsOf(expected);
        await().until(() -> persistent.count() == 3);
        assertThat(persistent.types()).as("persistent subscription").containsExactlyElementsOf(expected);
        assertThat(bus.replay("audit.**", ReplayOptions.fromOrigin())).as("replay")
                .extracting(r -> r.signal().type()).containsExactlyElementsOf(expected);
        assertThat(SignalPattern.compile("audit.**").matches("audit")).as("pattern").isTrue();
    }

    @Test
    void aSaturatedSubscriberNeverMakesPublishFailAndOthersStillReceive() {
        var saturated = RecordingHandler.manual();
        var healthy = RecordingHandler.acking();
        var transientCount = new CopyOnWriteArrayList<Long>();
        bus.subscribe("metric.*", SubscribeOptions.persistent("saturated").maxInFlight(1).priority(100), saturated);
        bus.subscribe("metric.*", SubscribeOptions.persistent("healthy"), healthy);
        bus.subscribe("metric.*", d -> transientCount.add(d.position()));

        assertThatCode(() -> IntStream.rangeClosed(1, 100).forEach(i -> bus.publish(signal("metric.cpu", i))))
                .doesNotThrowAnyException();

        assertThat(store.head("default")).isEqualTo(100);
        assertThat(transientCount).hasSize(100);
        await().until(() -> healthy.count() == 100);
        await().until(() -> saturated.count() == 1);
        assertThat(status("saturated").inFlight()).isEqualTo(1);
        assertThat(status("saturated").lag()).isEqualTo(100);
    }

    @Test
    void theLogIsDurableAcrossBusInstancesOnTheSameStore() {
        List<String> ids = bus.publish(signal("order.created", 1), signal("order.updated", 2)).stream()
                .map(r -> r.signal().id()).toList();
        bus.close();

        bus = TestBuses.builder(store, clock).build();

        assertThat(bus.replay("**", ReplayOptions.fromOrigin())).extracting(r -> r.signal().id())
                .containsExactlyElementsOf(ids);
        assertThat(bus.publish(signal("order.cancelled", 3)).get(0).position()).isEqualTo(3);
        var handler = RecordingHandler.acking();
        bus.subscribe("order.**", SubscribeOptions.persistent("late").startFrom(StartFrom.origin()), handler);
        await().until(() -> handler.count() == 3);
        assertThat(handler.deliveries()).extracting(d -> d.signal().id()).startsWith(ids.toArray(String[]::new));
        assertThat(store.head("default")).isEqualTo(3);
    }
}
