package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.StartFrom;
import io.signalbus.SubscribeOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.awaitility.core.ConditionTimeoutException;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Issue 10, "done when" 5: {@value #THREADS} threads publish in Spring transactions of their own (1 to
 * 50 signals each, in one or two publishes) while a live persistent subscriber from origin receives.
 * Of the transactions, 10 % stay open 0 to 5 s (random) before committing, 10 % roll back (they throw
 * after publishing), the rest commit at once. Asserted once the publishers stopped and the subscriber
 * caught up: no publisher failed, every signal of a committed transaction was delivered (0 skipped),
 * no rolled-back signal was, positions strictly increase in delivery order (first deliveries), each
 * transaction's signals sit at consecutive positions, and delivery never stalled: the largest gap
 * between consecutive first deliveries during which a committed signal was waiting is at most the
 * longest time any transaction stayed open + 1 s (over the whole run, catching up included). Printed
 * with the figures, not asserted: the longest time from a commit to the first delivery of its signals.
 *
 * <p>The issue asks for 2 minutes of publishing; to keep the build fast the test publishes for
 * {@code -Dsignalbus.stress.seconds} (default 15). {@code -Dsignalbus.stress.seed} repeats a run's
 * random choices (the seed is printed and in every failure message; thread timing is not
 * repeatable). The test uses a pool of its own with a connection for every publishing thread and
 * some to spare, so that it measures the bus and not publishers waiting for a pooled connection.
 */
abstract class TransactionalPublishStressTest {

    private static final int THREADS = 32;
    private static final long MAX_OPEN_NANOS = TimeUnit.SECONDS.toNanos(5);

    private JdbcConnectionPool pool;
    private JdbcSignalStore store;
    private SignalBus bus;

    /** A new migrated pool of its own with at most {@code maxConnections}, disposed after the test. */
    abstract JdbcConnectionPool pool(int maxConnections);

    /** What happened to one publishing transaction; times from {@link System#nanoTime}. */
    private record Transaction(List<String> ids, boolean committed, long openedAt, long endedAt) {
    }

    /** The subscriber's record of a delivery: when it was handed over. */
    private record Delivered(String id, long position, long at) {
    }

    private static final class RollBack extends RuntimeException {
        RollBack() {
            super("rolled back on purpose", null, false, false);
        }
    }

    @AfterEach
    void closeAll() {
        if (bus != null) {
            bus.close();
        }
        if (store != null) {
            store.close();
        }
        if (pool != null) {
            pool.dispose();
        }
    }

    @Test
    void deliveryKeepsUpWithManyTransactionsSomeLongSomeRolledBack() throws Exception {
        long seed = Long.getLong("signalbus.stress.seed", System.nanoTime());
        Duration duration = Duration.ofSeconds(Long.getLong("signalbus.stress.seconds", 15));
        String seedText = "seed " + seed + " (-Dsignalbus.stress.seed=" + seed + ")";
        pool = pool(THREADS + 8);
        store = new JdbcSignalStore(pool);
        bus = SignalBus.builder().store(store).name("txstress-" + UUID.randomUUID().toString().substring(0, 8))
                .build();
        var transaction = new TransactionTemplate(new DataSourceTransactionManager(pool));
        var delivered = new ConcurrentLinkedQueue<Delivered>();
        Set<String> deliveredIds = ConcurrentHashMap.newKeySet();
        long started = System.nanoTime();
        bus.subscribe("**", SubscribeOptions.persistent("stress").startFrom(StartFrom.origin()).maxInFlight(1000),
                d -> {
                    delivered.add(new Delivered(d.signal().id(), d.position(), System.nanoTime()));
                    deliveredIds.add(d.signal().id());
                    d.ack();
                });

        long deadline = started + duration.toNanos();
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        var futures = new ArrayList<Future<List<Transaction>>>();
        for (int t = 0; t < THREADS; t++) {
            var random = new Random(seed + t);
            int thread = t;
            futures.add(threads.submit(() -> publish(transaction, random, thread, deadline)));
        }
        var transactions = new ArrayList<Transaction>();
        try {
            for (Future<List<Transaction>> future : futures) {
                transactions.addAll(future.get(duration.toSeconds() + 60, TimeUnit.SECONDS));
            }
        } catch (ExecutionException e) {
            throw new AssertionError("a publisher failed, " + seedText, e.getCause());
        } finally {
            threads.shutdownNow();
        }
        long publishersStopped = System.nanoTime();

        var committedIds = new ArrayList<String>();
        var rolledBackIds = new HashSet<String>();
        long longestOpen = 0;
        int committed = 0;
        for (Transaction tx : transactions) {
            longestOpen = Math.max(longestOpen, tx.endedAt() - tx.openedAt());
            if (tx.committed()) {
                committed++;
                committedIds.addAll(tx.ids());
            } else {
                rolledBackIds.addAll(tx.ids());
            }
        }
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> deliveredIds.containsAll(committedIds));
        } catch (ConditionTimeoutException e) {
            // the assertions below say what is missing
        }
        long caughtUp = System.nanoTime();

        var first = new HashMap<String, Delivered>();
        var inOrder = new ArrayList<Delivered>();
        for (Delivered d : delivered) {
            if (first.putIfAbsent(d.id(), d) == null) {
                inOrder.add(d);
            }
        }
        long largestGap = largestStall(transactions, first, inOrder, started);
        long longestWait = 0; // from a commit to the first delivery of its signals
        for (Transaction tx : transactions) {
            for (String id : tx.ids()) {
                Delivered d = first.get(id);
                if (tx.committed() && d != null) {
                    longestWait = Math.max(longestWait, d.at() - tx.endedAt());
                }
            }
        }
        System.out.printf("%s: %s; %,d transactions committed, %,d rolled back; %,d signals committed,"
                + " %,d rolled back, %,d delivered (%,d redelivered); longest open transaction %,d ms;"
                + " largest delivery gap with a committed signal waiting %,d ms; longest commit -> delivery"
                + " %,d ms; publishing %,d ms, caught up after %,d ms more, total %,d ms%n", getClass().getSimpleName(), seedText, committed,
                transactions.size() - committed, committedIds.size(), rolledBackIds.size(), first.size(),
                delivered.size() - first.size(), millis(longestOpen), millis(largestGap), millis(longestWait),
                millis(publishersStopped - started), millis(caughtUp - publishersStopped), millis(caughtUp - started));

        var skipped = committedIds.stream().filter(id -> !first.containsKey(id)).toList();
        assertThat(skipped.size()).as("committed signals not delivered (skipped), the first %s, %s",
                skipped.subList(0, Math.min(10, skipped.size())), seedText).isZero();
        var rolledBackDelivered = first.keySet().stream().filter(rolledBackIds::contains).toList();
        assertThat(rolledBackDelivered.size()).as("rolled-back signals delivered, the first %s, %s",
                rolledBackDelivered.subList(0, Math.min(10, rolledBackDelivered.size())), seedText).isZero();
        long last = 0;
        for (Delivered d : inOrder) {
            assertThat(d.position()).as("position of %s after %d in delivery order, %s", d.id(), last, seedText)
                    .isGreaterThan(last);
            last = d.position();
        }
        assertThat(last).as("the last position is the number of committed signals, %s", seedText)
                .isEqualTo(committedIds.size());
        for (Transaction tx : transactions) {
            if (tx.committed()) {
                for (int i = 1; i < tx.ids().size(); i++) {
                    assertThat(first.get(tx.ids().get(i)).position())
                            .as("the signals of one transaction are consecutive, %s", seedText)
                            .isEqualTo(first.get(tx.ids().get(i - 1)).position() + 1);
                }
            }
        }
        assertThat(millis(largestGap)).as("largest delivery gap (ms) while a committed signal waited, against the"
                + " longest open transaction + 1 s, %s", seedText).isLessThanOrEqualTo(millis(longestOpen) + 1000);
    }

    /** One thread's transactions until {@code deadline}. */
    private List<Transaction> publish(TransactionTemplate transaction, Random random, int thread, long deadline) {
        var done = new ArrayList<Transaction>();
        while (System.nanoTime() - deadline < 0) {
            int size = 1 + random.nextInt(50);
            int split = random.nextInt(size + 1); // two publishes, the first may be empty
            double kind = random.nextDouble();
            boolean rollBack = kind < 0.1;
            long open = kind >= 0.1 && kind < 0.2 ? (long) (random.nextDouble() * MAX_OPEN_NANOS) : 0;
            var signals = new ArrayList<Signal>(size);
            for (int i = 0; i < size; i++) {
                signals.add(Signal.of("stress.published", "stress-test", Map.of("thread", thread, "i", i)));
            }
            long[] committedAt = new long[1];
            long openedAt = System.nanoTime();
            try {
                transaction.executeWithoutResult(status -> {
                    TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
                        @Override
                        public void afterCommit() {
                            committedAt[0] = System.nanoTime();
                        }
                    });
                    if (split > 0) {
                        bus.publish(signals.subList(0, split));
                    }
                    if (split < size) {
                        bus.publish(signals.subList(split, size));
                    }
                    if (rollBack) {
                        throw new RollBack();
                    }
                    if (open > 0) {
                        LockSupport.parkNanos(open); // the workload: a transaction that stays open
                    }
                });
            } catch (RollBack e) {
                // as planned
            }
            List<String> ids = signals.stream().map(Signal::id).toList();
            done.add(rollBack ? new Transaction(ids, false, openedAt, System.nanoTime())
                    : new Transaction(ids, true, openedAt, committedAt[0]));
        }
        return done;
    }

    /**
     * The longest time delivery stood still while a committed signal waited for it: over the gaps
     * between consecutive first deliveries (the first from {@code started}), each from the later of
     * the gap's start and the earliest commit among the signals not delivered by then.
     */
    private static long largestStall(List<Transaction> transactions, Map<String, Delivered> first,
            List<Delivered> inOrder, long started) {
        // commit times of the committed signals, in the order of their first delivery (undelivered last)
        var commits = new ArrayList<long[]>(); // {delivered at, committed at}
        for (Transaction tx : transactions) {
            if (tx.committed()) {
                for (String id : tx.ids()) {
                    Delivered d = first.get(id);
                    commits.add(new long[] {d == null ? Long.MAX_VALUE : d.at(), tx.endedAt()});
                }
            }
        }
        commits.sort((a, b) -> Long.compare(a[0], b[0]));
        // earliest commit among the signals delivered at or after index i
        long[] earliestFrom = new long[commits.size() + 1];
        earliestFrom[commits.size()] = Long.MAX_VALUE;
        for (int i = commits.size() - 1; i >= 0; i--) {
            earliestFrom[i] = Math.min(commits.get(i)[1], earliestFrom[i + 1]);
        }
        long largest = 0;
        long gapStart = started;
        int waitingFrom = 0; // index in commits of the first signal not delivered by gapStart
        for (Delivered d : inOrder) {
            while (waitingFrom < commits.size() && commits.get(waitingFrom)[0] <= gapStart) {
                waitingFrom++;
            }
            long waitingSince = Math.max(gapStart, earliestFrom[waitingFrom]);
            largest = Math.max(largest, d.at() - waitingSince);
            gapStart = d.at();
        }
        return largest;
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
