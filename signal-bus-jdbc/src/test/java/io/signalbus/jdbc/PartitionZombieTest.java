package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.signalbus.PartitionStatus;
import io.signalbus.RetryPolicy;
import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.StartFrom;
import io.signalbus.SubscribeOptions;
import io.signalbus.store.Lease;
import io.signalbus.store.SignalStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12, done when 2, per partition: instance A serves every partition of a partitioned
 * subscription, then freezes past its lease: every dispatcher thread of it waits in a handler, so
 * neither its heartbeat nor its claim renewals (which run on those threads) happen;
 * instance B finds A's heartbeat ended on the database clock, takes every partition and moves their
 * checkpoints on. When A resumes, every checkpoint, attempt and dead-letter write it makes with the
 * epochs of its old claims is refused, and it hands nothing to its handler until it has claimed a
 * partition again under a new epoch (as a member that rejoined). Once with A's clock right, once 10 s
 * ahead. Each database supplies its DataSource.
 */
abstract class PartitionZombieTest {

    private static final Duration LEASE = Duration.ofSeconds(1);
    private static final int PARTITIONS = 4;
    private static final int CONCURRENCY = 2;
    private static final Clock SKEWED = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(10));

    private final String busName = "pzombie-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<AutoCloseable> closing = new ArrayList<>();

    abstract DataSource dataSource();

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    /**
     * A's store: from resume on, it counts the fenced writes carrying an epoch A held before it froze
     * (and how many the store refused), and notes A's first claim under a new epoch.
     */
    static final class ZombieStore extends ZombieFencingTest.CountingStore {
        final Map<String, Long> epochsBeforeFreeze = new ConcurrentHashMap<>();
        volatile @Nullable Instant firstNewClaim;

        ZombieStore(SignalStore delegate) {
            super(delegate);
        }

        @Override
        public @Nullable Lease claim(String busName, String subscriptionId, String owner, Instant now,
                Duration lease) {
            Lease granted = super.claim(busName, subscriptionId, owner, now, lease);
            if (granted != null && !resumed) {
                epochsBeforeFreeze.put(subscriptionId, granted.epoch());
            } else if (granted != null && granted.epoch() > epochsBeforeFreeze.getOrDefault(subscriptionId, 0L)
                    && firstNewClaim == null) {
                firstNewClaim = Instant.now();
            }
            return granted;
        }

        @Override
        boolean counts(String subscriptionId, long epoch) {
            return epoch <= epochsBeforeFreeze.getOrDefault(subscriptionId, -1L);
        }
    }

    private SignalStore newStore() {
        var store = new JdbcSignalStore(dataSource());
        closing.add(store);
        return store;
    }

    private SignalBus bus(SignalStore store, String instanceId, Clock clock) {
        SignalBus bus = SignalBus.builder().name(busName).store(store).instanceId(instanceId).clock(clock)
                .claimLease(LEASE).pollInterval(Duration.ofMillis(20)).checkpointFlush(1, Duration.ofMillis(50))
                .build();
        closing.add(bus);
        return bus;
    }

    private static SubscribeOptions options() {
        return SubscribeOptions.persistent("orders").partitions(PARTITIONS).startFrom(StartFrom.origin())
                .concurrency(CONCURRENCY).maxAttempts(2).ackTimeout(Duration.ofMinutes(5))
                .retry(new RetryPolicy(Duration.ofMillis(50), Duration.ofMillis(50), 1.0, 0.0));
    }

    private static List<PartitionStatus> partitions(SignalBus bus) {
        return bus.status().subscriptions().get(0).partitions();
    }

    private static List<Signal> orders(int from, int count) {
        var signals = new ArrayList<Signal>();
        for (int i = from; i < from + count; i++) {
            signals.add(Signal.builder("order.created").source("/orders").subject("order-" + i).build());
        }
        return signals;
    }

    @Test
    void aFrozenInstanceWritesNothingWithItsOldEpochsAndDeliversNothingUntilItClaimsAgain() {
        zombie(Clock.systemUTC());
    }

    @Test
    void aFrozenInstanceWhoseClockRunsTenSecondsAheadWritesNothingWithItsOldEpochs() {
        zombie(SKEWED);
    }

    private void zombie(Clock clockOfA) {
        var storeOfA = new ZombieStore(newStore());
        SignalBus a = bus(storeOfA, "instance-a", clockOfA);
        var inHandler = new AtomicInteger();
        var startedAfterResume = new AtomicInteger();
        var release = new CountDownLatch(1);
        var handled = ConcurrentHashMap.<Long>newKeySet();
        a.subscribe("order.*", options(), delivery -> {
            if (storeOfA.resumed && storeOfA.firstNewClaim == null) {
                startedAfterResume.incrementAndGet();
            }
            if (!storeOfA.resumed) {
                inHandler.incrementAndGet();
                release.await(); // frozen in the handler, past the lease
                // fails after the freeze, so that A writes an attempt count under its old epoch (with
                // CONCURRENCY frozen deliveries, acks alone might move no checkpoint: the low-water mark
                // waits for signals the dispatchers took and did not deliver)
                throw new IllegalStateException("fails after the freeze: an attempt count or a dead letter");
            } else {
                handled.add(delivery.position());
            }
            delivery.ack();
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> partitions(a).stream()
                .allMatch(p -> "instance-a".equals(p.owner())));
        a.publish(orders(1, 40)); // 40 keys: every dispatcher thread of every partition takes a signal
        // CONCURRENCY handler calls at a time in an instance: those freeze in the handler, and the other
        // dispatchers, each with a signal taken, freeze waiting for a permit
        await().atMost(Duration.ofSeconds(10)).until(() -> inHandler.get() == CONCURRENCY);

        SignalBus b = bus(newStore(), "instance-b", Clock.systemUTC());
        b.subscribe("order.*", options(), delivery -> {
            handled.add(delivery.position());
            delivery.ack();
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> handled.size() == 40);
        await().atMost(Duration.ofSeconds(10)).until(() -> partitions(b).stream()
                .allMatch(p -> p.checkpoint().position() == 40 && "instance-b".equals(p.owner())));

        storeOfA.resumed = true;
        release.countDown(); // A's frozen handlers return: acks, attempt counts, dead letters under old epochs
        await().atMost(Duration.ofSeconds(10)).until(() -> storeOfA.attempted.get() >= 1);
        b.publish(orders(41, 20));
        // A rejoins as a member and may get partitions back under new epochs: the new signals reach A or B
        await().atMost(Duration.ofSeconds(20)).until(() -> handled.size() >= 60);

        System.out.printf("partition zombie (A's clock %s): after resuming A made %d writes with the epochs of its old"
                + " claims, the store refused %d; A started %d deliveries before claiming again under a new epoch%n",
                clockOfA, storeOfA.attempted.get(), storeOfA.refused.get(), startedAfterResume.get());
        assertThat(storeOfA.attempted.get()).as("A wrote with an old epoch after resuming").isPositive();
        assertThat(storeOfA.refused.get()).as("every write of A with an old epoch was refused")
                .isEqualTo(storeOfA.attempted.get());
        assertThat(startedAfterResume.get()).as("deliveries A started before it claimed again").isZero();
        assertThat(b.deadLetters("orders", 100)).as("no dead letter of A's old claims landed").isEmpty();
    }

}
