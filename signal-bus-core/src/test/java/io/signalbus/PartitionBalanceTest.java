package io.signalbus;

import static io.signalbus.testing.FastAwait.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.signalbus.store.InMemorySignalStore;
import io.signalbus.store.Lease;
import io.signalbus.testing.MutableClock;
import io.signalbus.testing.TestBuses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Instances divide the partitions of a subscription among them: two buses on one store stand for two
 * processes. Heartbeats and leases end on the hand-moved bus clock, so an instance "dies" only when the
 * test moves the clock past its lease.
 */
class PartitionBalanceTest {

    private static final int PARTITIONS = 8;
    private static final Duration LEASE = Duration.ofMillis(300);

    private final MutableClock clock = MutableClock.startingAt("2026-03-01T10:00:00Z");
    private final InMemorySignalStore store = new InMemorySignalStore();
    private final List<SignalBus> buses = new ArrayList<>();
    private final Map<String, List<Long>> handledByKey = new ConcurrentHashMap<>();

    @AfterEach
    void close() {
        buses.forEach(SignalBus::close);
    }

    private SignalBus instance(String id) {
        return instance(id, LEASE, delivery -> {
            handledByKey.computeIfAbsent(delivery.signal().subject(),
                    k -> Collections.synchronizedList(new ArrayList<>())).add(delivery.position());
            delivery.ack();
        });
    }

    private SignalBus instance(String id, Duration lease, SignalHandler handler) {
        SignalBus bus = TestBuses.builder(store, clock).instanceId(id).claimLease(lease).build();
        buses.add(bus);
        bus.subscribe("order.**", SubscribeOptions.persistent("orders").partitions(PARTITIONS)
                .startFrom(StartFrom.origin()), handler);
        return bus;
    }

    /** A key whose partition rendezvous hashing gives to {@code member} among {@code members}. */
    private static String keyOwnedBy(String member, List<String> members) {
        for (int i = 0; ; i++) {
            if (ownerByRendezvous(PartitionKey.partitionOf("key-" + i, PARTITIONS), members).equals(member)) {
                return "key-" + i;
            }
        }
    }

    /** Who holds the claim of each partition now (null: nobody). */
    private List<String> owners() {
        Map<String, Lease> claims = store.currentClaims("default", clock.instant());
        return IntStream.range(0, PARTITIONS).mapToObj(p -> {
            Lease claim = claims.get("orders/" + p);
            return claim == null ? null : claim.owner();
        }).toList();
    }

    private static List<String> expectedOwners(List<String> members) {
        return IntStream.range(0, PARTITIONS).mapToObj(p -> ownerByRendezvous(p, members)).toList();
    }

    /**
     * The documented assignment, written out again as the oracle: partitions in order, each to the
     * highest-scoring member that still has room, every member holding PARTITIONS / members, and the
     * first PARTITIONS % members members to go above it one more.
     */
    private static String ownerByRendezvous(int partition, List<String> members) {
        var load = new java.util.HashMap<String, Integer>();
        int floor = PARTITIONS / members.size();
        int extra = PARTITIONS % members.size();
        String owner = null;
        for (int p = 0; p <= partition; p++) {
            owner = null;
            long best = Long.MIN_VALUE;
            for (String member : members.stream().sorted().toList()) {
                int has = load.getOrDefault(member, 0);
                long score = PartitionKey.hash(member + "/" + p);
                if ((has < floor || (has == floor && extra > 0)) && (owner == null || score > best)) {
                    best = score;
                    owner = member;
                }
            }
            if (load.merge(owner, 1, Integer::sum) == floor + 1) {
                extra--;
            }
        }
        return owner;
    }

    private void publish(SignalBus bus, int count) {
        var signals = new ArrayList<Signal>();
        for (int i = 0; i < count; i++) {
            signals.add(Signal.builder("order.changed").source("/t").subject("key-" + i % 20).build());
        }
        bus.publish(signals);
    }

    private void assertEveryKeyInPositionOrder(int total) {
        long handled = 0;
        for (var entry : handledByKey.entrySet()) {
            // a redelivery after a handoff only repeats: the first handling of each position is in order
            var firsts = new ArrayList<>(new LinkedHashSet<>(entry.getValue()));
            assertThat(firsts).as(entry.getKey()).isSorted();
            handled += firsts.size();
        }
        assertThat(handled).isEqualTo(total);
    }

    @Test
    void twoInstancesServeThePartitionsRendezvousHashingGivesThem() {
        instance("node-a");
        instance("node-b");

        await().until(() -> owners().equals(expectedOwners(List.of("node-a", "node-b"))));
        assertThat(Set.copyOf(owners())).containsExactlyInAnyOrder("node-a", "node-b");
        publish(buses.get(0), 400);
        await().until(() -> handledByKey.values().stream().mapToInt(List::size).sum() >= 400);
        assertEveryKeyInPositionOrder(400);
    }

    @Test
    void aJoiningInstanceTakesOnlyItsShareAndNothingIsLost() {
        SignalBus first = instance("node-a");
        await().until(() -> owners().stream().allMatch("node-a"::equals));
        publish(first, 200);

        instance("node-b");
        publish(first, 200);

        await().until(() -> owners().equals(expectedOwners(List.of("node-a", "node-b"))));
        await().until(() -> Set.copyOf(handledByKey.values().stream().flatMap(List::stream).toList()).size() == 400);
        assertEveryKeyInPositionOrder(400);
    }

    @Test
    void aLeavingInstancesPartitionsAreServedByTheOthers() {
        instance("node-a");
        SignalBus second = instance("node-b");
        await().until(() -> owners().equals(expectedOwners(List.of("node-a", "node-b"))));

        second.close();
        publish(buses.get(0), 100);

        await().until(() -> owners().stream().allMatch("node-a"::equals));
        await().until(() -> handledByKey.values().stream().mapToInt(List::size).sum() >= 100);
        assertEveryKeyInPositionOrder(100);
    }

    @Test
    void aPartitionHandedToAJoiningInstanceWaitsForItsInFlightDeliveryAndIsNotDeliveredAgain() {
        Duration lease = Duration.ofSeconds(3); // the longest a handoff waits for deliveries in flight
        String key = keyOwnedBy("node-b", List.of("node-a", "node-b"));
        int partition = PartitionKey.partitionOf(key, PARTITIONS);
        var release = new java.util.concurrent.CountDownLatch(1);
        List<Long> toB = Collections.synchronizedList(new ArrayList<>());
        instance("node-a", lease, delivery -> {
            release.await();
            delivery.ack();
        });
        await().until(() -> owners().stream().allMatch("node-a"::equals));
        buses.get(0).publish(Signal.builder("order.changed").source("/t").subject(key).build());

        instance("node-b", lease, delivery -> {
            toB.add(delivery.position());
            delivery.ack();
        });
        List<String> expected = expectedOwners(List.of("node-a", "node-b"));
        await().until(() -> IntStream.range(0, PARTITIONS).filter(p -> p != partition)
                .allMatch(p -> expected.get(p).equals(owners().get(p))));
        await().during(Duration.ofMillis(300)).until(() -> "node-a".equals(owners().get(partition)));

        release.countDown();
        await().until(() -> "node-b".equals(owners().get(partition)));
        await().during(Duration.ofMillis(200)).until(toB::isEmpty);
        assertThat(store.findSubscription("default", "orders/" + partition).orElseThrow().checkpoint().position())
                .isEqualTo(1);
    }

    @Test
    void aHandoffStopsWaitingForAnUnackedDeliveryAfterOneLeaseAndTheNewOwnerDeliversItAgain() {
        Duration lease = Duration.ofSeconds(1);
        String key = keyOwnedBy("node-b", List.of("node-a", "node-b"));
        int partition = PartitionKey.partitionOf(key, PARTITIONS);
        List<Long> toB = Collections.synchronizedList(new ArrayList<>());
        instance("node-a", lease, delivery -> { }); // returns without acking: unacked until its ack timeout
        await().until(() -> owners().stream().allMatch("node-a"::equals));
        buses.get(0).publish(Signal.builder("order.changed").source("/t").subject(key).build());

        instance("node-b", lease, delivery -> {
            toB.add(delivery.position());
            delivery.ack();
        });

        await().atMost(Duration.ofSeconds(10)).until(() -> toB.contains(1L));
        assertThat(owners().get(partition)).isEqualTo("node-b");
    }

    @Test
    void aDeadInstancesPartitionsAreTakenOnceItsLeaseEnds() {
        // an instance that joined, claimed its partitions and died: heartbeat and claims run 30 s
        store.createSubscription(new io.signalbus.store.SubscriptionRecord("default", "orders", "order.**",
                Checkpoint.ORIGIN, 1000, 5, Duration.ofSeconds(30), 0, clock.instant(), PARTITIONS));
        store.heartbeat("default", "orders", "dead-node", clock.instant(), Duration.ofSeconds(30));
        List<String> shared = expectedOwners(List.of("dead-node", "node-a"));
        for (int p = 0; p < PARTITIONS; p++) {
            store.createSubscription(new io.signalbus.store.SubscriptionRecord("default", "orders/" + p, "order.**",
                    Checkpoint.ORIGIN, 1000, 5, Duration.ofSeconds(30), 0, clock.instant()));
            if (shared.get(p).equals("dead-node")) {
                store.claim("default", "orders/" + p, "dead-node", clock.instant(), Duration.ofSeconds(30));
            }
        }
        assertThat(shared).contains("dead-node", "node-a");

        instance("node-a");
        await().until(() -> owners().equals(shared));
        await().during(Duration.ofMillis(200)).until(() -> owners().equals(shared));

        clock.advance(Duration.ofSeconds(31));
        await().until(() -> owners().stream().allMatch("node-a"::equals));
    }
}
