package io.signalbus.testing;

import io.signalbus.RetryPolicy;
import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.SignalBusBuilder;
import io.signalbus.StartFrom;
import io.signalbus.SubscriptionDefaults;
import io.signalbus.store.SignalStore;
import java.time.Duration;
import java.util.Map;

/** Buses for tests: a hand-moved clock, a fast poll, no jitter, a checkpoint write per settled signal. */
public final class TestBuses {

    /** Retries 1 s, 2 s, 4 s… without jitter, so tests can move the clock exactly. */
    public static final RetryPolicy NO_JITTER = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(60), 2.0, 0.0);

    private TestBuses() {
    }

    public static SignalBusBuilder builder(SignalStore store, MutableClock clock) {
        return SignalBus.builder().store(store).clock(clock).pollInterval(Duration.ofMillis(10))
                .checkpointFlush(1, Duration.ofSeconds(1))
                .defaults(new SubscriptionDefaults(1000, 5, Duration.ofSeconds(30), StartFrom.current(), NO_JITTER));
    }

    public static Signal signal(String type, int n) {
        return Signal.of(type, "test", Map.of("n", n));
    }
}
