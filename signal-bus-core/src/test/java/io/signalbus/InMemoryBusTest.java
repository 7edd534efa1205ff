package io.signalbus;

import io.signalbus.store.InMemorySignalStore;
import io.signalbus.testing.MutableClock;
import io.signalbus.testing.TestBuses;
import org.junit.jupiter.api.AfterEach;

/** A bus on a fresh in-memory store with a hand-moved clock, closed after each test. */
abstract class InMemoryBusTest {

    protected final MutableClock clock = MutableClock.startingAt("2026-03-01T10:00:00Z");
    protected final InMemorySignalStore store = new InMemorySignalStore();
    /** Tests may close it and assign another bus on the same store (a restart). */
    protected SignalBus bus = newBus();

    /** The bus every test starts with; {@link TestBuses#builder} unless overridden. */
    protected SignalBus newBus() {
        return TestBuses.builder(store, clock).build();
    }

    @AfterEach
    void closeBus() {
        bus.close();
    }

    /** The status of one subscription of {@link #bus}. */
    protected SubscriptionStatus status(String id) {
        return bus.status().subscriptions().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }
}
