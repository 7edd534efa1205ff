package io.signalbus.spring.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.signalbus.BusStatus;
import io.signalbus.SignalStoreException;
import io.signalbus.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@code signalbus.unsequenced.age}: seconds since the oldest signal waiting for its position, read through the status cache. */
class UnsequencedAgeGaugeTest {

    private final MutableClock clock = MutableClock.startingAt("2026-01-01T00:00:00Z");
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicReference<Instant> oldest = new AtomicReference<>();
    private final AtomicInteger reads = new AtomicInteger();
    private final AtomicBoolean storeDown = new AtomicBoolean();
    private final SubscriptionGauges gauges = new SubscriptionGauges(registry, bus -> {
        reads.incrementAndGet();
        if (storeDown.get()) {
            throw new SignalStoreException("connection refused");
        }
        return new BusStatus(bus, 0, List.of(), oldest.get());
    }, clock, Duration.ofSeconds(1), Runnable::run, Duration.ofSeconds(5)); // reads on the scrape thread

    @Test
    void showsTheAgeOfTheOldestUnsequencedSignalAndZeroWhenNoneWaits() {
        gauges.registerAll("orders");
        assertThat(age()).isZero();

        oldest.set(clock.instant());
        clock.advance(Duration.ofSeconds(1)); // the cached status is a second old: read again
        assertThat(age()).isEqualTo(1.0);
        clock.advance(Duration.ofMillis(500));
        assertThat(age()).isEqualTo(1.5); // the cached status, the current clock
        assertThat(reads).hasValue(2);

        oldest.set(null);
        clock.advance(Duration.ofSeconds(1));
        assertThat(age()).isZero();
    }

    @Test
    void isUnknownNotZeroWhileTheStoreCannotBeRead() {
        oldest.set(clock.instant());
        storeDown.set(true);
        gauges.registerAll("orders");
        assertThat(age()).as("a failed read says nothing of what waits").isNaN();

        storeDown.set(false);
        clock.advance(Duration.ofSeconds(3));
        assertThat(age()).isEqualTo(3.0);
    }

    private double age() {
        return registry.get("signalbus.unsequenced.age").tag("bus", "orders").gauge().value();
    }
}
