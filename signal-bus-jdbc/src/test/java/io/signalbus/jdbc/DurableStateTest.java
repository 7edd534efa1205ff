package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.signalbus.Checkpoint;
import io.signalbus.DeadLetter;
import io.signalbus.Delivery;
import io.signalbus.RetryPolicy;
import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.SignalHandler;
import io.signalbus.StartFrom;
import io.signalbus.SubscribeOptions;
import io.signalbus.SubscriptionDefaults;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Test;

/**
 * Checkpoint, recorded attempts and dead letters outlive the process: everything is written, the
 * bus, store and H2 file database are closed, and a new bus on a new store over the reopened file
 * carries on where the first stopped.
 */
class DurableStateTest {

    private static final String BUS = "durable";
    private static final String SUBSCRIPTION = "billing";
    private static final SubscriptionDefaults FAST_RETRIES = new SubscriptionDefaults(100, 3, Duration.ofSeconds(30),
            StartFrom.origin(), new RetryPolicy(Duration.ofMillis(10), Duration.ofMillis(10), 2.0, 0.0));

    @Test
    void checkpointAttemptsAndDeadLettersSurviveARestart() {
        String url = TestDatabases.newH2FileUrl();
        JdbcConnectionPool firstRun = TestDatabases.migrated(TestDatabases.pool(url));
        var before = new CopyOnWriteArrayList<Delivery>();
        try (JdbcSignalStore store = new JdbcSignalStore(firstRun); SignalBus bus = bus(store)) {
            bus.subscribe("invoice.**", SubscribeOptions.persistent(SUBSCRIPTION), delivery -> {
                before.add(delivery);
                switch (delivery.signal().type()) {
                    case "invoice.poisoned" -> throw new IllegalStateException("cannot bill " + delivery.position());
                    case "invoice.slow" -> {
                        if (delivery.attempt() == 1) {
                            throw new IllegalStateException("timeout talking to the bank");
                        }
                        // the second attempt is still being processed when the process stops
                    }
                    default -> delivery.ack();
                }
            });
            bus.publish(List.of(invoice("invoice.created", 1), invoice("invoice.created", 2),
                    invoice("invoice.poisoned", 3), invoice("invoice.slow", 4), invoice("invoice.created", 5)));

            await().atMost(Duration.ofSeconds(10)).until(() -> bus.deadLetters(SUBSCRIPTION).size() == 1
                    && before.stream().anyMatch(d -> d.position() == 4 && d.attempt() == 2)
                    && before.stream().anyMatch(d -> d.position() == 5));
        }
        firstRun.dispose();

        JdbcConnectionPool secondRun = TestDatabases.pool(url);
        var after = new CopyOnWriteArrayList<Delivery>();
        try (JdbcSignalStore store = new JdbcSignalStore(secondRun); SignalBus bus = bus(store)) {
            assertThat(store.findSubscription(BUS, SUBSCRIPTION).orElseThrow().checkpoint().position()).isEqualTo(3);
            assertThat(store.attempts(BUS, SUBSCRIPTION, 3)).isEqualTo(Map.of(4L, 1));
            List<DeadLetter> deadLetters = bus.deadLetters(SUBSCRIPTION);
            assertThat(deadLetters).singleElement().satisfies(deadLetter -> {
                assertThat(deadLetter.position()).isEqualTo(3);
                assertThat(deadLetter.signal().type()).isEqualTo("invoice.poisoned");
                assertThat(deadLetter.attempts()).isEqualTo(3);
                assertThat(deadLetter.errorType()).isEqualTo(IllegalStateException.class.getName());
                assertThat(deadLetter.errorMessage()).isEqualTo("cannot bill 3");
            });

            Checkpoint resumedAt = bus.reconnect(SUBSCRIPTION, acking(after));

            assertThat(resumedAt.position()).isEqualTo(3);
            await().atMost(Duration.ofSeconds(10)).until(() -> after.size() == 2);
            // 4 failed once (recorded) and its unfinished second attempt is made again; 5 was acked, but
            // the checkpoint could not pass 4, so it is delivered again (at least once)
            assertThat(after).extracting(Delivery::position, Delivery::attempt)
                    .containsExactly(tuple(4L, 2), tuple(5L, 1));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(bus.status().subscriptions().get(0).checkpoint().position()).isEqualTo(5));
        } finally {
            secondRun.dispose();
        }
    }

    private static SignalBus bus(JdbcSignalStore store) {
        return SignalBus.builder().store(store).name(BUS).defaults(FAST_RETRIES).pollInterval(Duration.ofMillis(20))
                .checkpointFlush(1, Duration.ofMillis(100)).build();
    }

    private static Signal invoice(String type, int n) {
        return Signal.of(type, "durable-state-test", Map.of("invoice", n));
    }

    private static SignalHandler acking(List<Delivery> into) {
        return delivery -> {
            into.add(delivery);
            delivery.ack();
        };
    }
}
