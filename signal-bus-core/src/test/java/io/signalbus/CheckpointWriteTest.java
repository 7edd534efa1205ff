package io.signalbus;

import static io.signalbus.testing.FastAwait.await;
import static io.signalbus.testing.TestBuses.signal;
import static org.assertj.core.api.Assertions.assertThat;

import io.signalbus.store.InMemorySignalStore;
import io.signalbus.testing.DelegatingSignalStore;
import io.signalbus.testing.MutableClock;
import io.signalbus.testing.RecordingHandler;
import io.signalbus.testing.TestBuses;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Checkpoint writes run beside delivery, and never land after a stop or a move of the checkpoint. */
class CheckpointWriteTest {

    private final MutableClock clock = MutableClock.startingAt("2026-03-01T10:00:00Z");
    private final InMemorySignalStore memory = new InMemorySignalStore();
    private final SlowCheckpointStore store = new SlowCheckpointStore(memory);
    private final SignalBus bus = TestBuses.builder(store, clock).build(); // a checkpoint write per ack

    @AfterEach
    void close() {
        store.release.countDown();
        bus.close();
    }

    @Test
    void deliveryGoesOnWhileACheckpointWriteIsSlow() {
        var handler = RecordingHandler.acking();
        bus.subscribe("order.*", SubscribeOptions.persistent("orders"), handler);
        bus.publish(signal("order.created", 1));
        await().until(() -> store.writesStarted.get() == 1); // and now stuck in the store

        for (int i = 2; i <= 50; i++) {
            bus.publish(signal("order.created", i));
        }

        await().until(() -> handler.count() == 50);
        assertThat(store.writesStarted).hasValue(1);
        store.release.countDown();
        await().until(() -> memory.findSubscription("default", "orders").orElseThrow().checkpoint().position() == 50);
    }

    @Test
    void movingTheCheckpointWaitsForAWriteOnItsWaySoThatTheWriteCannotUndoTheMove() throws Exception {
        var handler = RecordingHandler.acking();
        bus.subscribe("order.*", SubscribeOptions.persistent("orders"), handler);
        bus.publish(signal("order.created", 1), signal("order.created", 2));
        await().until(() -> store.writesStarted.get() == 1);

        CompletableFuture<Checkpoint> move = CompletableFuture.supplyAsync(
                () -> bus.moveCheckpoint("orders", StartFrom.origin()));
        await().during(Duration.ofMillis(100)).until(() -> !move.isDone());
        store.release.countDown();

        assertThat(move.get(5, TimeUnit.SECONDS).position()).isZero();
        await().until(() -> handler.count() >= 4); // both signals again, from the origin
        assertThat(handler.positions().subList(handler.count() - 2, handler.count())).containsExactly(1L, 2L);
    }

    @Test
    void closingWaitsForAWriteOnItsWayAndThenWritesTheLastCheckpoint() {
        var handler = RecordingHandler.acking();
        bus.subscribe("order.*", SubscribeOptions.persistent("orders"), handler);
        bus.publish(signal("order.created", 1), signal("order.created", 2), signal("order.created", 3));
        await().until(() -> handler.count() == 3 && store.writesStarted.get() == 1);

        CompletableFuture<Void> close = CompletableFuture.runAsync(bus::close);
        await().during(Duration.ofMillis(100)).until(() -> !close.isDone());
        store.release.countDown();

        await().until(close::isDone);
        assertThat(memory.findSubscription("default", "orders").orElseThrow().checkpoint().position()).isEqualTo(3);
    }

    /** A store whose first checkpoint write blocks until {@link #release} opens. */
    static final class SlowCheckpointStore extends DelegatingSignalStore {

        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger writesStarted = new AtomicInteger();

        SlowCheckpointStore(InMemorySignalStore delegate) {
            super(delegate);
        }

        @Override
        public void saveCheckpoint(String busName, String subscriptionId, long epoch, Checkpoint checkpoint) {
            if (writesStarted.incrementAndGet() == 1) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            delegate.saveCheckpoint(busName, subscriptionId, epoch, checkpoint);
        }
    }
}
