package io.signalbus;

import static io.signalbus.testing.TestBuses.signal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.signalbus.store.InMemorySignalStore;
import io.signalbus.testing.DelegatingSignalStore;
import io.signalbus.testing.MutableClock;
import io.signalbus.testing.RecordingHandler;
import io.signalbus.testing.TestBuses;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A subscription never dies silently: failures show in its status and it recovers by itself. */
class SupervisionTest {

    /** A store whose resume and reads fail while the test says so. */
    static final class FaultyStore extends DelegatingSignalStore {
        final AtomicBoolean failResume = new AtomicBoolean();
        final AtomicBoolean failReads = new AtomicBoolean();

        FaultyStore() {
            super(new InMemorySignalStore());
        }

        @Override
        public Map<Long, Integer> attempts(String busName, String subscriptionId, long afterPosition) {
            if (failResume.get()) {
                throw new IllegalStateException("resume refused by the test");
            }
            return super.attempts(busName, subscriptionId, afterPosition);
        }

        @Override
        public List<RecordedSignal> read(String busName, long afterPosition, int limit) {
            if (failReads.get()) {
                throw new IllegalStateException("read refused by the test");
            }
            return super.read(busName, afterPosition, limit);
        }
    }

    private final MutableClock clock = MutableClock.startingAt("2026-03-01T10:00:00Z");
    private final FaultyStore store = new FaultyStore();
    private final SignalBus bus = TestBuses.builder(store, clock).build();

    @AfterEach
    void close() {
        bus.close();
    }

    private SubscriptionStatus status(String id) {
        return bus.status().subscriptions().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void storeErrorWhileResumingShowsAsRecoveringAndTheSubscriptionResumesWhenTheStoreHeals() {
        store.failResume.set(true);
        var handler = RecordingHandler.acking();
        bus.subscribe("order.*", SubscribeOptions.persistent("orders").startFrom(StartFrom.origin()), handler);
        bus.publish(signal("order.created", 1));

        await().until(() -> status("orders").state() == SubscriptionState.RECOVERING);
        assertThat(status("orders").lastError()).contains("resume refused by the test");
        assertThat(handler.count()).isZero();

        store.failResume.set(false);

        await().until(() -> handler.count() == 1);
        await().until(() -> status("orders").state() == SubscriptionState.ACTIVE);
        assertThat(status("orders").lastError()).as("the last failure stays visible").contains("resume refused");
    }

    @Test
    void errorThrownInTheDispatcherIsRecordedAndTheDispatcherGoesOnAndDeliversTheSignalAgain() {
        var thrown = new AtomicBoolean();
        var handler = RecordingHandler.acking();
        bus.subscribe("order.*", SubscribeOptions.persistent("orders"), delivery -> {
            if (thrown.compareAndSet(false, true)) {
                throw new OutOfMemoryError("thrown by the test");
            }
            handler.handle(delivery);
        });
        bus.publish(signal("order.created", 1));

        await().until(() -> "java.lang.OutOfMemoryError: thrown by the test".equals(status("orders").lastError()));

        await().until(() -> status("orders").state() == SubscriptionState.ACTIVE); // after a short backoff
        clock.advance(Duration.ofSeconds(30)); // the attempt the error cut short times out ...
        await().until(() -> status("orders").lastError().contains("not acked within"));
        clock.advance(Duration.ofSeconds(1)); // ... and is redelivered after the first backoff

        await().until(() -> handler.count() == 1);
        assertThat(handler.last().attempt()).isEqualTo(2);
    }

    @Test
    void failingReadsShowAsRecoveringWithTheReasonUntilAReadSucceeds() {
        var handler = RecordingHandler.acking();
        bus.subscribe("order.*", SubscribeOptions.persistent("orders").startFrom(StartFrom.origin()), handler);
        store.failReads.set(true);
        store.append("default", List.of(signal("order.created", 1)), clock.instant()); // by another process

        await().until(() -> status("orders").state() == SubscriptionState.RECOVERING);
        assertThat(status("orders").lastError()).contains("cannot read the log after position 0")
                .contains("read refused by the test");

        store.failReads.set(false);

        await().until(() -> handler.count() == 1);
        await().until(() -> status("orders").state() == SubscriptionState.ACTIVE);
    }
}
