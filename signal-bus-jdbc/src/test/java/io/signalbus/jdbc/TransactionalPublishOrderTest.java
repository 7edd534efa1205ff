package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.signalbus.Delivery;
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
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Issue 10, "done when" 3: eight threads publish in their own transactions (1 to 10 signals each)
 * through two stores, as two processes would, while a persistent subscriber receives: every signal
 * arrives, none is skipped, none out of position order, the signals of each transaction sit at
 * consecutive positions, and the transactions of one thread get positions in the order it committed
 * them.
 */
abstract class TransactionalPublishOrderTest {

    private static final int THREADS = 8;

    private final List<AutoCloseable> resources = new ArrayList<>();

    abstract DataSource dataSource();

    /** How many signals the test publishes. */
    abstract int signals();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    @Test
    void aLiveSubscriberGetsEveryTransactionalSignalOnceInPositionOrder() throws Exception {
        String busName = "txorder-" + UUID.randomUUID().toString().substring(0, 8);
        SignalBus subscriberBus = bus(busName);
        SignalBus otherProcess = bus(busName);
        var received = new ConcurrentLinkedQueue<Delivery>();
        subscriberBus.subscribe("**", SubscribeOptions.persistent("order-check").startFrom(StartFrom.origin())
                .maxInFlight(1000), d -> {
                    received.add(d);
                    d.ack();
                });
        var transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource()));
        var left = new AtomicInteger(signals());
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        var futures = new ArrayList<Future<List<List<String>>>>();
        for (int t = 0; t < THREADS; t++) {
            SignalBus publisher = t % 2 == 0 ? subscriberBus : otherProcess;
            futures.add(threads.submit(() -> {
                var transactions = new ArrayList<List<String>>();
                int size;
                while ((size = take(left, ThreadLocalRandom.current().nextInt(1, 11))) > 0) {
                    var batch = new ArrayList<Signal>(size);
                    for (int i = 0; i < size; i++) {
                        batch.add(Signal.of("order.created", "order-test", Map.of("i", i)));
                    }
                    transaction.executeWithoutResult(status -> {
                        publisher.publish(batch.subList(0, batch.size() / 2)); // two publishes, one transaction
                        publisher.publish(batch.subList(batch.size() / 2, batch.size()));
                    });
                    transactions.add(batch.stream().map(Signal::id).toList());
                }
                return transactions;
            }));
        }
        var published = new ArrayList<List<String>>();
        var byThread = new ArrayList<List<List<String>>>();
        for (Future<List<List<String>>> future : futures) {
            byThread.add(future.get(120, TimeUnit.SECONDS));
            published.addAll(byThread.get(byThread.size() - 1));
        }
        threads.shutdown();

        await().atMost(Duration.ofSeconds(60)).until(() -> received.size() >= signals());
        var positionOf = new HashMap<String, Long>();
        long last = 0;
        int outOfOrder = 0;
        for (Delivery delivery : received) {
            if (delivery.position() <= last) {
                outOfOrder++;
            }
            last = delivery.position();
            positionOf.put(delivery.signal().id(), delivery.position());
        }
        assertThat(outOfOrder).as("out of position order").isZero();
        assertThat(received).hasSize(signals());
        var skipped = new HashSet<String>();
        for (List<String> ids : published) {
            for (int i = 0; i < ids.size(); i++) {
                Long position = positionOf.get(ids.get(i));
                if (position == null) {
                    skipped.add(ids.get(i));
                } else if (i > 0 && positionOf.containsKey(ids.get(i - 1))) {
                    assertThat(position).as("the signals of one transaction are consecutive")
                            .isEqualTo(positionOf.get(ids.get(i - 1)) + 1);
                }
            }
        }
        assertThat(skipped).as("skipped").isEmpty();
        assertThat(last).isEqualTo(signals());
        for (List<List<String>> transactions : byThread) {
            assertThat(transactions).as("one thread's transactions, in the order it committed them")
                    .extracting(ids -> positionOf.get(ids.get(0))).isSorted();
        }
    }

    private static int take(AtomicInteger left, int wanted) {
        while (true) {
            int now = left.get();
            int size = Math.min(now, wanted);
            if (size == 0 || left.compareAndSet(now, now - size)) {
                return size;
            }
        }
    }

    private SignalBus bus(String busName) {
        JdbcSignalStore store = new JdbcSignalStore(dataSource());
        resources.add(store);
        SignalBus bus = SignalBus.builder().store(store).name(busName).pollInterval(Duration.ofMillis(100)).build();
        resources.add(bus);
        return bus;
    }
}
