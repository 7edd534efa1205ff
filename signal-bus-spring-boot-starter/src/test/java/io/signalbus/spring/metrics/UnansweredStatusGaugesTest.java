package io.signalbus.spring.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.signalbus.BusStatus;
import io.signalbus.testing.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A store that does not answer (a frozen connection, say) must not hold a metrics scrape, and with it
 * every other meter of the application: the bus's gauges say NaN once the read timeout has passed,
 * and later scrapes share the reading still waiting rather than start another.
 */
class UnansweredStatusGaugesTest {

    private final MutableClock clock = MutableClock.startingAt("2026-01-01T00:00:00Z");
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final CountDownLatch storeAnswers = new CountDownLatch(1);
    private final AtomicInteger reads = new AtomicInteger();
    private final MicrometerSignalBusListener listener = new MicrometerSignalBusListener(registry, bus -> {
        reads.incrementAndGet();
        try {
            storeAnswers.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        return new BusStatus(bus, 0, List.of(), null);
    }, clock, Duration.ofMillis(200));

    @AfterEach
    void close() {
        storeAnswers.countDown();
        listener.close();
    }

    @Test
    void theGaugesOfABusWhoseStoreDoesNotAnswerAreNaNAndNoScrapeWaitsForIt() {
        // without a bound these calls wait as long as the store does: here, for ever
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> listener.registerGauges("orders"));
        assertThat(assertTimeoutPreemptively(Duration.ofSeconds(5), this::age)).isNaN();

        clock.advance(Duration.ofSeconds(2)); // the failed reading is older than a second: read again
        assertThat(assertTimeoutPreemptively(Duration.ofSeconds(5), this::age)).isNaN();
        assertThat(reads).as("the reading still waiting is shared, not started again").hasValue(1);

        storeAnswers.countDown();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            clock.advance(Duration.ofSeconds(2));
            assertThat(age()).as("the store answers again: no signal waits for its position").isZero();
        });
    }

    private double age() {
        return registry.get("signalbus.unsequenced.age").tag("bus", "orders").gauge().value();
    }
}
