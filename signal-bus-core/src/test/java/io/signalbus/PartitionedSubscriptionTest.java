package io.signalbus;

import static io.signalbus.testing.FastAwait.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalbus.store.InMemorySignalStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A persistent subscription split into partitions: per-key order, and state kept per partition. */
class PartitionedSubscriptionTest {

    private static final RetryPolicy FAST_RETRY = new RetryPolicy(Duration.ofMillis(2), Duration.ofMillis(20), 2.0,
            0.0);

    private final InMemorySignalStore store = new InMemorySignalStore();
    private final SignalBus bus = SignalBus.builder().store(store).clock(Clock.systemUTC())
            .pollInterval(Duration.ofMillis(10)).checkpointFlush(1, Duration.ofMillis(50))
            .defaults(new SubscriptionDefaults(1000, 5, Duration.ofSeconds(30), StartFrom.origin(), FAST_RETRY))
            .build();

    @AfterEach
    void close() {
        bus.close();
    }

    private static Signal keyed(String key, int n) {
        return Signal.builder("order.changed").source("/t").subject(key).data(Map.of("n", n)).build();
    }

    @Test
    void concurrencyBoundsTheHandlerCallsOfAllPartitionsOfAnInstanceTogether() {
        var signals = new ArrayList<Signal>();
        for (int i = 0; i < 200; i++) {
            signals.add(keyed("key-" + i, i));
        }
        bus.publish(signals);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        AtomicInteger handled = new AtomicInteger();

        bus.subscribe("order.**", SubscribeOptions.persistent("gated").partitions(8).concurrency(2), delivery -> {
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            LockSupport.parkNanos(Duration.ofMillis(1).toNanos()); // long enough for the partitions to overlap
            running.decrementAndGet();
            handled.incrementAndGet();
            delivery.ack();
        });

        await().atMost(Duration.ofSeconds(30)).until(() -> handled.get() == 200);
        assertThat(mostAtOnce).hasValue(2); // 8 partitions x 2 dispatcher threads, 2 calls at a time
    }

    @Test
    void eachKeyIsHandledOneAtATimeInPositionOrderUnderConcurrencyAndRetries() {
        var random = new SplittableRandom(42);
        var signals = new ArrayList<Signal>();
        for (int i = 0; i < 2_000; i++) {
            signals.add(keyed("key-" + random.nextInt(40), i));
        }
        bus.publish(signals);
        Map<String, List<Long>> handledByKey = new ConcurrentHashMap<>();
        Set<String> inProgress = ConcurrentHashMap.newKeySet();
        AtomicInteger overlaps = new AtomicInteger();
        var failRandom = new SplittableRandom(43);
        Set<Long> failedOnce = ConcurrentHashMap.newKeySet();

        bus.subscribe("order.**", SubscribeOptions.persistent("orders").partitions(4).concurrency(4).maxInFlight(50),
                delivery -> {
                    String key = delivery.signal().subject();
                    if (!inProgress.add(key)) {
                        overlaps.incrementAndGet();
                    }
                    try {
                        boolean fail;
                        synchronized (failRandom) {
                            fail = failRandom.nextInt(10) == 0;
                        }
                        if (fail && failedOnce.add(delivery.position())) {
                            throw new IllegalStateException("transient failure at " + delivery.position());
                        }
                        handledByKey.computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>()))
                                .add(delivery.position());
                    } finally {
                        inProgress.remove(key);
                    }
                    delivery.ack();
                });

        await().atMost(Duration.ofSeconds(30)).until(() -> handledByKey.values().stream().mapToInt(List::size).sum()
                == 2_000);
        assertThat(overlaps).hasValue(0);
        assertThat(failedOnce).isNotEmpty();
        handledByKey.forEach((key, positions) -> assertThat(positions).as(key).isSorted().doesNotHaveDuplicates());
        await().until(() -> bus.status().subscriptions().get(0).checkpoint().position() == 2_000);
    }

    @Test
    void eachPartitionWritesItsOwnCheckpoint() {
        bus.subscribe("order.**", SubscribeOptions.persistent("orders").partitions(3), Delivery::ack);
        bus.publish(keyed("a", 1), keyed("b", 2), keyed("c", 3), keyed("d", 4));

        await().until(() -> List.of(0, 1, 2).stream().allMatch(p -> store.findSubscription("default", "orders/" + p)
                .orElseThrow().checkpoint().position() == 4));
        SubscriptionStatus status = bus.status().subscriptions().get(0);
        assertThat(bus.status().subscriptions()).hasSize(1);
        assertThat(status.id()).isEqualTo("orders");
        assertThat(status.checkpoint().position()).isEqualTo(4);
        assertThat(status.state()).isEqualTo(SubscriptionState.ACTIVE);
    }

    @Test
    void deadLettersAreKeptPerPartitionAndListedTogether() {
        String first = "a";
        String second = firstKeyInAnotherPartition(first, 4);
        bus.subscribe("order.**", SubscribeOptions.persistent("orders").partitions(4).maxAttempts(1), delivery -> {
            throw new IllegalStateException("no");
        });
        bus.publish(keyed(first, 1), keyed(second, 2));

        await().until(() -> bus.deadLetters("orders", 10).size() == 2);
        List<DeadLetter> deadLetters = bus.deadLetters("orders", 10);
        assertThat(deadLetters).extracting(DeadLetter::position).containsExactly(1L, 2L);
        assertThat(deadLetters).extracting(DeadLetter::subscriptionId).containsExactly(
                "orders/" + PartitionKey.partitionOf(first, 4), "orders/" + PartitionKey.partitionOf(second, 4));
        assertThat(bus.status().subscriptions().get(0).deadLetters()).isEqualTo(2);
        assertThat(bus.discardDeadLetters("orders", 10)).isEqualTo(2);
        assertThat(bus.deadLetters("orders", 10)).isEmpty();
    }

    @Test
    void redrivenDeadLetterGoesBackToItsPartition() {
        AtomicInteger calls = new AtomicInteger();
        bus.subscribe("order.**", SubscribeOptions.persistent("orders").partitions(4).maxAttempts(1), delivery -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("first call fails");
            }
            delivery.ack();
        });
        bus.publish(keyed("a", 1));
        // settled once its dead letter is durable: the checkpoint passes it (before that it is still pending)
        await().until(() -> bus.status().subscriptions().get(0).checkpoint().position() == 1);

        assertThat(bus.deadLetters("orders", 10)).hasSize(1);
        assertThat(bus.redriveDeadLetters("orders", 10)).isEqualTo(1);
        await().until(() -> bus.deadLetters("orders", 10).isEmpty());
        assertThat(calls).hasValue(2);
    }

    @Test
    void ackBySignalIdFindsThePartitionThatHoldsTheSignal() {
        var delivered = new ArrayList<Delivery>();
        bus.subscribe("order.**", SubscribeOptions.persistent("orders").partitions(4), delivery -> {
            synchronized (delivered) {
                delivered.add(delivery);
            }
        });
        bus.publish(keyed("a", 1), keyed("b", 2), keyed("c", 3));
        await().until(() -> {
            synchronized (delivered) {
                return delivered.size() == 3;
            }
        });

        synchronized (delivered) {
            delivered.forEach(d -> bus.ack(d.subscriptionId(), d.signal().id()));
            assertThat(delivered).extracting(Delivery::subscriptionId).containsOnly("orders");
        }
        await().until(() -> bus.status().subscriptions().get(0).checkpoint().position() == 3);
    }

    @Test
    void statusListsEachPartitionWithItsOwnerEpochCheckpointAndLag() {
        bus.subscribe("order.**", SubscribeOptions.persistent("orders").partitions(3), Delivery::ack);
        bus.publish(keyed("a", 1), keyed("b", 2), keyed("c", 3));
        await().until(() -> bus.status().subscriptions().get(0).checkpoint().position() == 3);

        SubscriptionStatus status = bus.status().subscriptions().get(0);
        assertThat(status.partitions()).extracting(PartitionStatus::partition).containsExactly(0, 1, 2);
        assertThat(status.partitions()).allSatisfy(p -> {
            assertThat(p.owner()).isNotNull();
            assertThat(p.epoch()).isEqualTo(1);
            assertThat(p.checkpoint().position()).isEqualTo(3);
            assertThat(p.lag()).isZero();
        });
        assertThat(status.unownedPartitions()).isZero();
    }

    @Test
    void partitionsOfAStoppedSubscriptionHaveNoOwner() {
        bus.subscribe("order.**", SubscribeOptions.persistent("orders").partitions(3), Delivery::ack);
        bus.unsubscribe("orders");

        SubscriptionStatus status = bus.status().subscriptions().get(0);
        assertThat(status.state()).isEqualTo(SubscriptionState.DISCONNECTED);
        assertThat(status.partitions()).extracting(PartitionStatus::owner).containsExactly(null, null, null);
        assertThat(status.unownedPartitions()).isEqualTo(3);
    }

    @Test
    void anUnpartitionedSubscriptionListsNoPartitions() {
        bus.subscribe("order.**", SubscribeOptions.persistent("orders"), Delivery::ack);

        assertThat(bus.status().subscriptions().get(0).partitions()).isEmpty();
        assertThat(bus.status().subscriptions().get(0).unownedPartitions()).isZero();
    }

    @Test
    void subscribingWithAnotherPartitionCountIsAConflictNamingBoth() {
        bus.subscribe("order.**", SubscribeOptions.persistent("orders").partitions(4), Delivery::ack);
        bus.unsubscribe("orders");

        assertThatThrownBy(() -> bus.subscribe("order.**", SubscribeOptions.persistent("orders").partitions(8),
                Delivery::ack)).isInstanceOf(SubscriptionConflictException.class)
                .hasMessageContaining("4 partitions").hasMessageContaining("with 8");
        assertThatThrownBy(() -> bus.subscribe("order.**", SubscribeOptions.persistent("orders"), Delivery::ack))
                .isInstanceOf(SubscriptionConflictException.class).hasMessageContaining("with 1");
    }

    @Test
    void partitionCountOutOfRangeIsRejectedWithTheValue() {
        assertThatThrownBy(() -> SubscribeOptions.persistent("s").partitions(0))
                .isInstanceOf(InvalidOptionException.class).hasMessageContaining("0");
        assertThatThrownBy(() -> SubscribeOptions.persistent("s").partitions(SubscribeOptions.MAX_PARTITIONS + 1))
                .isInstanceOf(InvalidOptionException.class).hasMessageContaining("257");
    }

    @Test
    void transientSubscriptionCannotBePartitioned() {
        assertThatThrownBy(() -> SubscribeOptions.defaults().partitions(2))
                .isInstanceOf(InvalidOptionException.class).hasMessageContaining("only a persistent subscription");
    }

    @Test
    void partitionedSubscriptionIdLongerThanItsLimitIsRejectedWithTheLength() {
        String id = "s".repeat(SubscribeOptions.MAX_PARTITIONED_ID_LENGTH + 1);
        assertThatThrownBy(() -> SubscribeOptions.persistent(id).partitions(2))
                .isInstanceOf(InvalidOptionException.class).hasMessageContaining("has 197");
    }

    @Test
    void deletingAPartitionedSubscriptionDeletesItsPartitions() {
        bus.subscribe("order.**", SubscribeOptions.persistent("orders").partitions(2), Delivery::ack);
        bus.unsubscribe("orders", true);

        assertThat(store.subscriptions("default")).isEmpty();
    }

    @Test
    void movingTheCheckpointMovesEveryPartition() {
        // StartFrom.position(2): deliver from 2 on, so the checkpoint is 1
        bus.subscribe("order.**", SubscribeOptions.persistent("orders").partitions(2), Delivery::ack);
        bus.publish(keyed("a", 1), keyed("b", 2));
        await().until(() -> bus.status().subscriptions().get(0).checkpoint().position() == 2);

        bus.unsubscribe("orders");
        assertThat(bus.moveCheckpoint("orders", StartFrom.position(2)).position()).isEqualTo(1);
        assertThat(store.findSubscription("default", "orders/0").orElseThrow().checkpoint().position()).isEqualTo(1);
        assertThat(store.findSubscription("default", "orders/1").orElseThrow().checkpoint().position()).isEqualTo(1);
    }

    private static String firstKeyInAnotherPartition(String key, int partitions) {
        int partition = PartitionKey.partitionOf(key, partitions);
        for (int i = 0; ; i++) {
            if (PartitionKey.partitionOf("k" + i, partitions) != partition) {
                return "k" + i;
            }
        }
    }
}
