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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One process at a time serves a persistent subscription: two buses on one store stand for two processes. */
class ClaimTest {

    private final MutableClock clock = MutableClock.startingAt("2026-03-01T10:00:00Z");
    private final InMemorySignalStore store = new InMemorySignalStore();
    // renewed every 100 ms of this JVM's monotonic time; the in-memory store ends leases on the bus clock
    private final SignalBus first = TestBuses.builder(store, clock).instanceId("node-a")
            .claimLease(Duration.ofMillis(300)).build();
    private final SignalBus second = TestBuses.builder(store, clock).instanceId("node-b").build();

    @AfterEach
    void close() {
        first.close();
        second.close();
    }

    private static SubscriptionState state(SignalBus bus, String id) {
        return bus.status().subscriptions().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow().state();
    }

    @Test
    void onlyTheProcessHoldingTheClaimReceivesSignals() {
        var a = RecordingHandler.acking();
        var b = RecordingHandler.acking();
        first.subscribe("order.*", SubscribeOptions.persistent("orders"), a);
        await().until(() -> state(first, "orders") == SubscriptionState.ACTIVE);
        second.subscribe("order.*", SubscribeOptions.persistent("orders"), b);

        for (int i = 0; i < 20; i++) {
            first.publish(signal("order.created", i));
        }

        await().until(() -> a.count() == 20);
        await().during(Duration.ofMillis(100)).until(() -> b.count() == 0);
        assertThat(state(second, "orders")).isEqualTo(SubscriptionState.STANDBY);
    }

    @Test
    void theStandbyTakesOverFromTheCheckpointWhenTheOwnerStops() {
        var a = RecordingHandler.acking();
        var b = RecordingHandler.acking();
        first.subscribe("order.*", SubscribeOptions.persistent("orders"), a);
        await().until(() -> state(first, "orders") == SubscriptionState.ACTIVE);
        second.subscribe("order.*", SubscribeOptions.persistent("orders"), b);
        first.publish(signal("order.created", 1), signal("order.created", 2));
        await().until(() -> a.count() == 2);

        first.unsubscribe("orders");
        second.publish(signal("order.created", 3));

        await().until(() -> b.count() == 1);
        assertThat(b.positions()).containsExactly(3L);
        assertThat(state(second, "orders")).isEqualTo(SubscriptionState.ACTIVE);
    }

    @Test
    void aCrashedOwnersClaimIsTakenOverOnceItsLeaseEnds() {
        first.close();
        store.createSubscription(new io.signalbus.store.SubscriptionRecord("default", "orders", "order.*",
                Checkpoint.ORIGIN, 100, 5, Duration.ofSeconds(30), 0, clock.instant()));
        // a process that claimed the subscription and then died: its lease runs 30 s
        store.claim("default", "orders", "crashed-node", clock.instant(), Duration.ofSeconds(30));
        var b = RecordingHandler.acking();
        second.subscribe("order.*", SubscribeOptions.persistent("orders"), b);
        second.publish(signal("order.created", 1));
        await().during(Duration.ofMillis(100)).until(() -> b.count() == 0);

        clock.advance(Duration.ofSeconds(30));

        await().until(() -> b.count() == 1);
    }

    @Test
    void aProcessThatLosesItsClaimStopsDelivering() {
        var a = RecordingHandler.manual();
        first.subscribe("order.*", SubscribeOptions.persistent("orders"), a);
        first.publish(signal("order.created", 1));
        await().until(() -> a.count() == 1);

        // the lease ran out without renewal (a long pause) and another process took the subscription
        store.claim("default", "orders", "node-c", clock.instant().plusSeconds(31), Duration.ofSeconds(3600));
        clock.advance(Duration.ofSeconds(11));

        await().until(() -> state(first, "orders") == SubscriptionState.STANDBY);
        first.publish(signal("order.created", 2));
        await().during(Duration.ofMillis(100)).until(() -> a.count() == 1);
        assertThatThrownBy(() -> first.redriveDeadLetters("orders", 10))
                .isInstanceOf(SubscriptionNotActiveException.class);
    }

    @Test
    void aStandbyCannotMoveTheCheckpointUnderTheServingProcess() {
        var a = RecordingHandler.acking();
        first.subscribe("order.*", SubscribeOptions.persistent("orders"), a);
        await().until(() -> state(first, "orders") == SubscriptionState.ACTIVE);
        second.subscribe("order.*", SubscribeOptions.persistent("orders"), RecordingHandler.acking());
        first.publish(signal("order.created", 1), signal("order.created", 2));
        await().until(() -> a.count() == 2);

        assertThatThrownBy(() -> second.moveCheckpoint("orders", StartFrom.origin()))
                .isInstanceOf(SubscriptionNotActiveException.class)
                .hasMessageContaining("'orders'").hasMessageContaining("another process");

        assertThat(state(second, "orders")).isEqualTo(SubscriptionState.STANDBY);
        first.publish(signal("order.created", 3));
        await().until(() -> a.count() == 3);
        assertThat(a.positions()).containsExactly(1L, 2L, 3L);
    }

    @Test
    void theServingProcessMovesTheCheckpointAndKeepsServing() {
        var a = RecordingHandler.acking();
        first.subscribe("order.*", SubscribeOptions.persistent("orders"), a);
        second.subscribe("order.*", SubscribeOptions.persistent("orders"), RecordingHandler.acking());
        first.publish(signal("order.created", 1), signal("order.created", 2));
        await().until(() -> a.count() == 2);

        first.moveCheckpoint("orders", StartFrom.origin());

        await().until(() -> a.count() == 4);
        assertThat(a.positions()).containsExactly(1L, 2L, 1L, 2L);
        assertThat(state(first, "orders")).isEqualTo(SubscriptionState.ACTIVE);
        assertThat(state(second, "orders")).isEqualTo(SubscriptionState.STANDBY);
    }

    @Test
    void aProcessNotConnectedToAnUnservedSubscriptionCanMoveItsCheckpoint() {
        first.subscribe("order.*", SubscribeOptions.persistent("orders"), RecordingHandler.acking());
        first.publish(signal("order.created", 1), signal("order.created", 2));
        first.unsubscribe("orders");

        Checkpoint moved = second.moveCheckpoint("orders", StartFrom.position(2));

        assertThat(moved.position()).isEqualTo(1);
        var b = RecordingHandler.acking();
        first.subscribe("order.*", SubscribeOptions.persistent("orders"), b);
        await().until(() -> b.count() == 1);
        assertThat(b.positions()).containsExactly(2L);
    }

    @Test
    void instanceIdsMustNotBeBlank() {
        assertThatThrownBy(() -> SignalBus.builder().instanceId(" "))
                .isInstanceOf(InvalidOptionException.class);
    }
}
