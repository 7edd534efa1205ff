package io.signalbus.spring.actuate;

import static io.signalbus.testing.FastAwait.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.signalbus.RecordedSignal;
import io.signalbus.SignalBus;
import io.signalbus.SignalStoreException;
import io.signalbus.StartFrom;
import io.signalbus.SubscribeOptions;
import io.signalbus.SubscriptionState;
import io.signalbus.spring.SignalBuses;
import io.signalbus.store.InMemorySignalStore;
import io.signalbus.testing.DelegatingSignalStore;
import io.signalbus.testing.MutableClock;
import io.signalbus.testing.RecordingHandler;
import io.signalbus.testing.TestBuses;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthContributors;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

class SignalBusHealthContributorTest {

    private final MutableClock clock = MutableClock.startingAt("2026-01-01T00:00:00Z");
    private final SignalBus bus = SignalBus.builder().name("orders").pollInterval(Duration.ofMillis(10))
            .checkpointFlush(1, Duration.ofMillis(10)).build();
    private final SignalBusHealthProperties properties = new SignalBusHealthProperties();
    private final List<SignalBusHealthContributor> contributors = new ArrayList<>();

    @AfterEach
    void close() {
        contributors.forEach(SignalBusHealthContributor::close);
        bus.close();
    }

    private SignalBusHealthContributor contributor(SignalBus... buses) {
        var contributor = new SignalBusHealthContributor(new SignalBuses(List.of(buses)), properties, clock);
        contributors.add(contributor);
        return contributor;
    }

    /** The health of the one bus {@code orders}, as {@code /actuator/health/signalBus/orders} reads it. */
    private HealthIndicator indicator() {
        return indicator(contributor(bus), "orders");
    }

    private static HealthIndicator indicator(SignalBusHealthContributor contributor, String bus) {
        return (HealthIndicator) contributor.getContributor(bus);
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
    private static Map<String, Object> subscriptionDetails(Health health, String subscription) {
        return (Map<String, Object>) ((Map<String, Object>) health.getDetails().get("subscriptions")).get(subscription);
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
        assertThat(subscriptionDetails(health, "order_processor")).containsEntry("state",
                SubscriptionState.ACTIVE).containsEntry("pattern", "order.**")
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
        SignalBusHealthContributor contributor = contributor(bus, hanging);
        HealthIndicator indicator = indicator(contributor, "hanging");
        long started = System.nanoTime();
        Health first = indicator.health();
        Health second = indicator.health();
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(first.getStatus()).isEqualTo(Status.DOWN);
        assertThat(first.getDetails().get("error").toString()).contains("has not answered for", "timeout PT0.2S");
        assertThat(second.getStatus()).isEqualTo(Status.DOWN);
        assertThat(took).isLessThan(Duration.ofSeconds(1));
        assertThat(calls).as("the second check waits for the first reading").hasValue(1);
        assertThat(indicator(contributor, "orders").health().getStatus()).as("the other bus is read on its own")
                .isEqualTo(Status.UP);

        release.countDown();
        await().until(() -> indicator.health().getDetails().get("error").toString().contains("released"));
    }

    @Test
    void downWhenTheStoreCannotBeRead() {
        SignalBusHealthContributor contributor = contributor(bus, storeDown("broken"));

        Health health = indicator(contributor, "broken").health();

        assertThat(health.getStatus()).isEqualTo(Status.DOWN);
        assertThat(health.getDetails().get("error").toString()).contains("SignalStoreException", "connection refused");
        assertThat(indicator(contributor, "orders").health().getStatus()).isEqualTo(Status.UP);
        assertThat(contributor.stream().map(HealthContributors.Entry::name)).containsExactly("orders", "broken");
    }

    @Test
    void lagAboveMaxLagWithoutCheckpointProgressForTheStallTimeoutIsOutOfService() {
        properties.setMaxLag(2);
        properties.setStallTimeout(Duration.ofMinutes(5));
        RecordingHandler handler = RecordingHandler.manual();
        bus.subscribe("order.**", SubscribeOptions.persistent("slow").startFrom(StartFrom.origin()), handler);
        publish(5);
        await().until(() -> handler.count() == 5);
        HealthIndicator indicator = indicator();

        assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
        clock.advance(Duration.ofMinutes(4));
        assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
        clock.advance(Duration.ofMinutes(1));
        Health stalled = indicator.health();

        assertThat(stalled.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
        assertThat(subscriptionDetails(stalled, "slow").get("problem").toString())
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
        HealthIndicator indicator = indicator();
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
        assertThat(subscriptionDetails(byDefault, "fragile")).containsEntry("deadLetters", 2L)
                .containsKey("lastError");

        properties.setMaxDeadLetters(2L);
        assertThat(indicator().health().getStatus()).isEqualTo(Status.UP);

        properties.setMaxDeadLetters(0L);
        Health strict = indicator().health();
        assertThat(strict.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
        assertThat(subscriptionDetails(strict, "fragile").get("problem").toString())
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
        assertThat(subscriptionDetails(health, "gone")).containsEntry("state",
                SubscriptionState.DISCONNECTED).containsEntry("lag", 3L);
    }

    @Test
    void aRecoveringSubscriptionMakesItsBusDownWithItsLastError() {
        var failReads = new AtomicBoolean();
        var store = new DelegatingSignalStore(new InMemorySignalStore()) {
            @Override
            public List<RecordedSignal> read(String busName, long afterPosition, int limit) {
                if (failReads.get()) {
                    throw new IllegalStateException("read refused by the test");
                }
                return super.read(busName, afterPosition, limit);
            }
        };
        SignalBus failing = SignalBus.builder().name("failing").store(store).pollInterval(Duration.ofMillis(10)).build();
        try {
            RecordingHandler handler = RecordingHandler.acking();
            failing.subscribe("order.**", SubscribeOptions.persistent("reader").startFrom(StartFrom.origin()), handler);
            failReads.set(true);
            store.append("failing", List.of(TestBuses.signal("order.created", 1)), clock.instant()); // another process
            HealthIndicator indicator = indicator(contributor(bus, failing), "failing");

            await().until(() -> indicator.health().getStatus().equals(Status.DOWN));
            Health down = indicator.health();
            assertThat(subscriptionDetails(down, "reader")).containsEntry("state", SubscriptionState.RECOVERING)
                    .hasEntrySatisfying("lastError", e -> assertThat(e.toString()).contains("read refused by the test"))
                    .hasEntrySatisfying("problem", p -> assertThat(p.toString()).startsWith("recovering: ")
                            .contains("read refused by the test"));
            assertThat((List<?>) down.getDetails().get("problems")).singleElement().asString()
                    .startsWith("subscription 'reader': recovering");

            failReads.set(false);
            await().until(() -> handler.count() == 1);
            await().until(() -> indicator.health().getStatus().equals(Status.UP));
        } finally {
            failing.close();
        }
    }

    @Test
    void aSignalWaitingToBecomeReadableLongerThanTheMaximumMakesItsBusDownWithItsAge() {
        var oldest = new AtomicReference<Instant>();
        var store = new DelegatingSignalStore(new InMemorySignalStore()) {
            @Override
            public Optional<Instant> oldestUnsequenced(String busName) {
                return Optional.ofNullable(oldest.get());
            }
        };
        SignalBus staging = SignalBus.builder().name("staging").store(store).build();
        try {
            properties.setMaxUnsequencedAge(Duration.ofSeconds(30));
            HealthIndicator indicator = indicator(contributor(staging), "staging");
            assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
            assertThat(indicator.health().getDetails()).doesNotContainKey("unsequencedAge");

            oldest.set(clock.instant().minusSeconds(10));
            Health waiting = indicator.health();
            assertThat(waiting.getStatus()).isEqualTo(Status.UP);
            assertThat(waiting.getDetails()).containsEntry("unsequencedAge", Duration.ofSeconds(10));

            clock.advance(Duration.ofSeconds(21));
            Health stuck = indicator.health();
            assertThat(stuck.getStatus()).isEqualTo(Status.DOWN);
            assertThat(stuck.getDetails()).containsEntry("unsequencedAge", Duration.ofSeconds(31));
            assertThat(stuck.getDetails().get("problems").toString()).contains("not readable yet");
        } finally {
            staging.close();
        }
    }
}
