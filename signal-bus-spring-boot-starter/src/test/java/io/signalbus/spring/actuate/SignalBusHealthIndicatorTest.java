package io.signalbus.spring.actuate;

import static io.signalbus.testing.FastAwait.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.signalbus.SignalBus;
import io.signalbus.SignalStoreException;
import io.signalbus.StartFrom;
import io.signalbus.SubscribeOptions;
import io.signalbus.spring.SignalBuses;
import io.signalbus.testing.MutableClock;
import io.signalbus.testing.RecordingHandler;
import io.signalbus.testing.TestBuses;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

class SignalBusHealthIndicatorTest {

    private final MutableClock clock = MutableClock.startingAt("2026-01-01T00:00:00Z");
    private final SignalBus bus = SignalBus.builder().name("orders").pollInterval(Duration.ofMillis(10))
            .checkpointFlush(1, Duration.ofMillis(10)).build();
    private final SignalBusHealthProperties properties = new SignalBusHealthProperties();

    @AfterEach
    void close() {
        bus.close();
    }

    private SignalBusHealthIndicator indicator() {
        return new SignalBusHealthIndicator(new SignalBuses(List.of(bus)), properties, clock);
    }

    private void publish(int count) {
        for (int i = 0; i < count; i++) {
            bus.publish(TestBuses.signal("order.created", i));
        }
    }

    /** A bus whose store cannot be reached: {@code status()} throws. */
    static SignalBus storeDown(String name) {
        return (SignalBus) Proxy.newProxyInstance(SignalBus.class.getClassLoader(), new Class<?>[] { SignalBus.class },
                (proxy, method, args) -> switch (method.getName()) {
                    case "name" -> name;
                    case "toString" -> "SignalBus[" + name + "]";
                    case "close" -> null;
                    default -> throw new SignalStoreException("connection refused", new SQLException("refused"));
                });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> subscriptionDetails(Health health, String bus, String subscription) {
        var buses = (Map<String, Object>) health.getDetails().get("buses");
        var busDetails = (Map<String, Object>) buses.get(bus);
        return (Map<String, Object>) ((Map<String, Object>) busDetails.get("subscriptions")).get(subscription);
    }

    @Test
    void upWithTheFiguresOfEveryPersistentSubscription() {
        RecordingHandler handler = RecordingHandler.acking();
        bus.subscribe("order.**", SubscribeOptions.persistent("order_processor").startFrom(StartFrom.origin()), handler);
        bus.subscribe("order.**", RecordingHandler.acking());
        publish(3);
        await().until(() -> bus.status().subscriptions().get(0).checkpoint().position() == 3);

        Health health = indicator().health();

        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(subscriptionDetails(health, "orders", "order_processor")).containsEntry("state",
                io.signalbus.SubscriptionState.ACTIVE).containsEntry("pattern", "order.**")
                .containsEntry("checkpoint", 3L).containsEntry("head", 3L).containsEntry("lag", 0L)
                .containsEntry("inFlight", 0).containsEntry("deadLetters", 0L).doesNotContainKey("problem");
        assertThat(health.getDetails()).doesNotContainKey("problems");
    }

    @Test
    void downWithinTheTimeoutWhenTheStoreDoesNotAnswerAndLaterChecksDoNotPileUpThreads() throws Exception {
        var release = new CountDownLatch(1);
        var calls = new AtomicInteger();
        SignalBus hanging = (SignalBus) Proxy.newProxyInstance(SignalBus.class.getClassLoader(),
                new Class<?>[] { SignalBus.class }, (proxy, method, args) -> switch (method.getName()) {
                    case "name" -> "hanging";
                    case "status" -> {
                        calls.incrementAndGet();
                        release.await();
                        throw new SignalStoreException("released", new SQLException("released"));
                    }
                    default -> null;
                });
        properties.setTimeout(Duration.ofMillis(200));
        try (var indicator = new SignalBusHealthIndicator(new SignalBuses(List.of(bus, hanging)), properties, clock)) {
            long started = System.nanoTime();
            Health first = indicator.health();
            Health second = indicator.health();
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(first.getStatus()).isEqualTo(Status.DOWN);
            assertThat(first.getDetails().get("buses").toString()).contains("hanging", "has not answered for");
            assertThat(second.getStatus()).isEqualTo(Status.DOWN);
            assertThat(took).isLessThan(Duration.ofSeconds(1));
            assertThat(calls).as("the second check waits for the first reading").hasValue(1);

            release.countDown();
            await().until(() -> indicator.health().getDetails().get("buses").toString().contains("released"));
        }
    }

    @Test
    void downWhenTheStoreCannotBeRead() {
        SignalBus broken = storeDown("broken");
        var indicator = new SignalBusHealthIndicator(new SignalBuses(List.of(bus, broken)), properties, clock);

        Health health = indicator.health();

        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.getDetails().get("buses").toString()).contains("orders");
        assertThat(health.getDetails().get("buses").toString()).contains("broken", "connection refused");
    }

    @Test
    void lagAboveMaxLagWithoutCheckpointProgressForTheStallTimeoutIsOutOfService() {
        properties.setMaxLag(2);
        properties.setStallTimeout(Duration.ofMinutes(5));
        RecordingHandler handler = RecordingHandler.manual();
        bus.subscribe("order.**", SubscribeOptions.persistent("slow").startFrom(StartFrom.origin()), handler);
        publish(5);
        await().until(() -> handler.count() == 5);
        SignalBusHealthIndicator indicator = indicator();

        assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
        clock.advance(Duration.ofMinutes(4));
        assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
        clock.advance(Duration.ofMinutes(1));
        Health stalled = indicator.health();

        assertThat(stalled.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
        assertThat(subscriptionDetails(stalled, "orders", "slow").get("problem").toString())
                .contains("stalled", "lag 5 is above 2", "PT5M");
        assertThat((List<?>) stalled.getDetails().get("problems")).hasSize(1);

        handler.deliveries().get(0).ack();
        await().until(() -> bus.status().subscriptions().get(0).checkpoint().position() == 1);
        assertThat(indicator.health().getStatus()).as("progress clears the stall").isEqualTo(Status.UP);
    }

    @Test
    void aSubscriptionThatWasCaughtUpIsNotStalledTheMomentABurstArrives() {
        properties.setMaxLag(2);
        RecordingHandler handler = RecordingHandler.manual();
        bus.subscribe("order.**", SubscribeOptions.persistent("idle"), handler);
        SignalBusHealthIndicator indicator = indicator();
        assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
        clock.advance(Duration.ofHours(1));

        publish(5);
        await().until(() -> handler.count() == 5);

        assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
    }

    @Test
    void deadLettersChangeTheStatusOnlyAboveAConfiguredMaximum() {
        RecordingHandler handler = RecordingHandler.acking().failingWhen(d -> true);
        bus.subscribe("order.**", SubscribeOptions.persistent("fragile").maxAttempts(1), handler);
        publish(2);
        await().until(() -> bus.status().subscriptions().get(0).deadLetters() == 2);

        Health byDefault = indicator().health();
        assertThat(byDefault.getStatus()).isEqualTo(Status.UP);
        assertThat(subscriptionDetails(byDefault, "orders", "fragile")).containsEntry("deadLetters", 2L)
                .containsKey("lastError");

        properties.setMaxDeadLetters(2L);
        assertThat(indicator().health().getStatus()).isEqualTo(Status.UP);

        properties.setMaxDeadLetters(0L);
        Health strict = indicator().health();
        assertThat(strict.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
        assertThat(subscriptionDetails(strict, "orders", "fragile").get("problem").toString())
                .isEqualTo("2 dead letters, more than the 0 allowed");
    }

    @Test
    void disconnectedSubscriptionsAreShownButDoNotChangeTheStatus() {
        properties.setMaxLag(0);
        properties.setStallTimeout(Duration.ZERO);
        bus.subscribe("order.**", SubscribeOptions.persistent("gone"), RecordingHandler.manual());
        bus.unsubscribe("gone");
        publish(3);

        Health health = indicator().health();

        assertThat(health.getStatus()).isEqualTo(Status.UP);
        assertThat(subscriptionDetails(health, "orders", "gone")).containsEntry("state",
                io.signalbus.SubscriptionState.DISCONNECTED).containsEntry("lag", 3L);
    }
}
