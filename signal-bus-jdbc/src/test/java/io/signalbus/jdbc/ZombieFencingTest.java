package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.signalbus.Checkpoint;
import io.signalbus.DeadLetter;
import io.signalbus.Delivery;
import io.signalbus.RetryPolicy;
import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.StartFrom;
import io.signalbus.SubscribeOptions;
import io.signalbus.SubscriptionState;
import io.signalbus.store.ClaimLostException;
import io.signalbus.store.SignalStore;
import io.signalbus.testing.DelegatingSignalStore;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two instances of an application on one database, as two buses with their own stores: a "zombie"
 * instance whose handlers are frozen past its lease while the other takes the subscription over must
 * not write anything when it resumes, and must stop delivering; an instance whose JVM clock runs
 * 10 s ahead cannot take a live claim. Each database supplies its DataSource.
 */
abstract class ZombieFencingTest {

    private static final Duration LEASE = Duration.ofSeconds(1);
    private static final Duration POLL = Duration.ofMillis(20);
    private static final Clock SKEWED = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(10));

    private final String busName = "zombie-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<AutoCloseable> closing = new ArrayList<>();
    private SignalStore reader;

    abstract DataSource dataSource();

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    /** Counts the fenced writes of one instance from the moment it resumes, and how many the store refused. */
    static class CountingStore extends DelegatingSignalStore {
        volatile boolean resumed;
        final AtomicInteger attempted = new AtomicInteger();
        final AtomicInteger refused = new AtomicInteger();
        final Set<String> kinds = ConcurrentHashMap.newKeySet();

        CountingStore(SignalStore delegate) {
            super(delegate);
        }

        /** Whether a write of {@code subscriptionId} with {@code epoch} after resuming is counted; all by default. */
        boolean counts(String subscriptionId, long epoch) {
            return true;
        }

        private void fenced(String kind, String subscriptionId, long epoch, Runnable write) {
            if (!resumed || !counts(subscriptionId, epoch)) {
                write.run();
                return;
            }
            attempted.incrementAndGet();
            kinds.add(kind);
            try {
                write.run();
            } catch (ClaimLostException e) {
                refused.incrementAndGet();
                throw e;
            }
        }

        @Override
        public void saveCheckpoint(String busName, String subscriptionId, long epoch, Checkpoint checkpoint) {
            fenced("checkpoint", subscriptionId, epoch,
                    () -> super.saveCheckpoint(busName, subscriptionId, epoch, checkpoint));
        }

        @Override
        public void saveAttempts(String busName, String subscriptionId, long epoch, long position, int attempts) {
            fenced("attempts", subscriptionId, epoch,
                    () -> super.saveAttempts(busName, subscriptionId, epoch, position, attempts));
        }

        @Override
        public void addDeadLetter(String busName, long epoch, DeadLetter deadLetter) {
            fenced("dead letter", deadLetter.subscriptionId(), epoch,
                    () -> super.addDeadLetter(busName, epoch, deadLetter));
        }
    }

    private SignalStore newStore() {
        var store = new JdbcSignalStore(dataSource());
        closing.add(store);
        return store;
    }

    private SignalBus bus(SignalStore store, String instanceId, Clock clock) {
        SignalBus bus = SignalBus.builder().name(busName).store(store).instanceId(instanceId).clock(clock)
                .claimLease(LEASE).pollInterval(POLL).checkpointFlush(1, Duration.ofMillis(50)).build();
        closing.add(bus);
        return bus;
    }

    private static SubscribeOptions options() {
        return SubscribeOptions.persistent("orders").startFrom(StartFrom.origin()).concurrency(3).maxAttempts(2)
                .ackTimeout(Duration.ofMinutes(5))
                .retry(new RetryPolicy(Duration.ofMillis(100), Duration.ofMillis(100), 1.0, 0.0));
    }

    private static SubscriptionState state(SignalBus bus) {
        return bus.status().subscriptions().stream().filter(s -> s.id().equals("orders")).findFirst().orElseThrow()
                .state();
    }

    private static Signal order(int n) {
        return Signal.of("order.created", "/orders", Map.of("n", n));
    }

    /** Instance B: acks everything, recording positions. */
    private static List<Long> acking(SignalBus bus) {
        List<Long> positions = new CopyOnWriteArrayList<>();
        bus.subscribe("order.*", options(), delivery -> {
            positions.add(delivery.position());
            delivery.ack();
        });
        return positions;
    }

    @Test
    void aZombieWhoseHandlersResumeAfterItsLeaseEndedWritesNothingAndStopsDelivering() {
        zombie(Clock.systemUTC(), 3); // resumes with the last attempt of 3 failing: its dead letter
    }

    @Test
    void aZombieWhoseClockRunsTenSecondsAheadWritesNothingAndCannotTakeTheClaimBack() {
        zombie(SKEWED, 2); // resumes with the first attempt of 2 failing: its attempt count
    }

    /** A serves 1, 2 and 3 and freezes in all three; B takes over; A resumes {@code firstResumed}, then the others. */
    private void zombie(Clock clockOfA, long firstResumed) {
        var storeOfA = new CountingStore(newStore());
        SignalBus a = bus(storeOfA, "instance-a", clockOfA);
        SignalBus b = bus(newStore(), "instance-b", Clock.systemUTC());
        var resumeFirst = new CountDownLatch(1);
        var resumeOthers = new CountDownLatch(1);
        var blocked = new AtomicInteger();
        var deliveredToA = new AtomicInteger();
        a.subscribe("order.*", options(), (Delivery delivery) -> {
            deliveredToA.incrementAndGet();
            long position = delivery.position();
            if (position == 3 && delivery.attempt() == 1) {
                throw new IllegalStateException("first attempt of 3 fails at once");
            }
            blocked.incrementAndGet();
            (position == firstResumed ? resumeFirst : resumeOthers).await(); // frozen: nobody renews the claim
            if (position != 1) {
                throw new IllegalStateException("attempt " + delivery.attempt() + " of " + position + " fails");
            }
            delivery.ack();
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> state(a) == SubscriptionState.ACTIVE);
        a.publish(order(1), order(2), order(3));
        await().atMost(Duration.ofSeconds(10)).until(() -> blocked.get() == 3);

        List<Long> deliveredToB = acking(b); // takes over once A's lease has ended on the database clock
        await().atMost(Duration.ofSeconds(10)).until(() -> state(b) == SubscriptionState.ACTIVE);
        await().atMost(Duration.ofSeconds(10)).until(() -> storedCheckpoint() == 3);
        int deliveredBeforeResume = deliveredToA.get();

        storeOfA.resumed = true;
        resumeFirst.countDown(); // it fails: A writes its dead letter or attempt count
        await().atMost(Duration.ofSeconds(10)).until(() -> storeOfA.attempted.get() >= 1);
        resumeOthers.countDown(); // 1 acked, 2 failed: nothing A may write any more

        await().atMost(Duration.ofSeconds(10)).until(() -> state(a) == SubscriptionState.STANDBY);
        b.publish(order(4), order(5));
        await().atMost(Duration.ofSeconds(10)).until(() -> deliveredToB.containsAll(List.of(4L, 5L)));
        await().during(LEASE.multipliedBy(2)).atMost(LEASE.multipliedBy(4))
                .until(() -> state(a) == SubscriptionState.STANDBY && state(b) == SubscriptionState.ACTIVE);

        System.out.printf("zombie (A's clock %s): A attempted %d fenced writes after resuming (%s), the store"
                + " refused %d; A delivered %d signals after resuming%n", clockOfA, storeOfA.attempted.get(),
                storeOfA.kinds, storeOfA.refused.get(), deliveredToA.get() - deliveredBeforeResume);
        assertThat(storeOfA.attempted.get()).as("A wrote at least once after resuming").isPositive();
        assertThat(storeOfA.refused.get()).as("every write of A after resuming was refused")
                .isEqualTo(storeOfA.attempted.get());
        assertThat(deliveredToA.get()).as("A delivered nothing after resuming").isEqualTo(deliveredBeforeResume);
        await().atMost(Duration.ofSeconds(10)).until(() -> storedCheckpoint() == 5);
        assertThat(storedAttempts()).isEmpty();
        assertThat(b.deadLetters("orders", 10)).isEmpty();
        assertThat(deliveredToB).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L); // three dispatchers in B
    }

    @Test
    void anInstanceWhoseClockRunsTenSecondsAheadCannotTakeALiveClaim() {
        SignalBus b = bus(newStore(), "instance-b", Clock.systemUTC());
        List<Long> deliveredToB = acking(b);
        await().atMost(Duration.ofSeconds(10)).until(() -> state(b) == SubscriptionState.ACTIVE);
        SignalBus a = bus(newStore(), "instance-a", SKEWED);
        var deliveredToA = new AtomicInteger();
        a.subscribe("order.*", options(), delivery -> deliveredToA.incrementAndGet());

        b.publish(order(1), order(2));

        await().during(LEASE.multipliedBy(3)).atMost(LEASE.multipliedBy(5))
                .until(() -> state(a) == SubscriptionState.STANDBY && state(b) == SubscriptionState.ACTIVE);
        assertThat(deliveredToA.get()).isZero();
        assertThat(deliveredToB).containsExactlyInAnyOrder(1L, 2L);
    }

    private long storedCheckpoint() {
        return reader().findSubscription(busName, "orders").orElseThrow().checkpoint().position();
    }

    private Map<Long, Integer> storedAttempts() {
        return reader().attempts(busName, "orders", 0);
    }

    private SignalStore reader() {
        if (reader == null) {
            reader = newStore();
        }
        return reader;
    }
}
