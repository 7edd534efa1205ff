package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.signalbus.Delivery;
import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.StartFrom;
import io.signalbus.SubscribeOptions;
import io.signalbus.SubscriptionStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Invariant 4 (no gaps seen) under load: eight threads publish through two stores, so appends from
 * two writers contend for the same bus head as two processes would, while a persistent subscriber
 * receives. Every signal must arrive exactly once, in position order, and the checkpoint must reach
 * the head.
 */
abstract class ConcurrentPublishGapTest {

    private static final int THREADS = 8;
    private static final int SIGNALS = 4_000;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final ConcurrentLinkedQueue<Delivery> received = new ConcurrentLinkedQueue<>();
    private String busName;

    abstract DataSource dataSource();

    @BeforeEach
    void freshBus() {
        busName = "gap-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    @Test
    void aLiveSubscriberGetsEverySignalOnceInPositionOrderWhileEightThreadsPublish() throws Exception {
        JdbcSignalStore store = store();
        SignalBus subscriberBus = bus(store);
        SignalBus otherPublisher = bus(store());

        subscribe(subscriberBus);
        List<RecordedSignal> published = publishConcurrently(subscriberBus, otherPublisher);

        assertEverySignalDeliveredOnceInOrder(subscriberBus, published);
    }

    @Test
    void aSubscriberInAnotherProcessThatOnlyPollsTheStoreGetsEverySignalOnceInPositionOrder() throws Exception {
        JdbcSignalStore store = store();
        SignalBus pollingOnly = bus(store);
        SignalBus publisher = bus(store);
        SignalBus otherPublisher = bus(store());

        subscribe(pollingOnly);
        List<RecordedSignal> published = publishConcurrently(publisher, otherPublisher);

        assertEverySignalDeliveredOnceInOrder(pollingOnly, published);
    }

    private JdbcSignalStore store() {
        return track(new JdbcSignalStore(dataSource()));
    }

    private SignalBus bus(JdbcSignalStore store) {
        return track(SignalBus.builder().store(store).name(busName).pollInterval(Duration.ofMillis(20)).build());
    }

    private void subscribe(SignalBus bus) {
        bus.subscribe("gap.**", SubscribeOptions.persistent("gap-subscriber").startFrom(StartFrom.origin()),
                delivery -> {
                    received.add(delivery);
                    delivery.ack();
                });
    }

    /** Threads alternate between the two buses; each publishes one signal per call, some two. */
    private List<RecordedSignal> publishConcurrently(SignalBus first, SignalBus second) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(THREADS);
        try {
            var start = new CountDownLatch(1);
            var tasks = new ArrayList<Callable<List<RecordedSignal>>>();
            for (int t = 0; t < THREADS; t++) {
                SignalBus bus = t % 2 == 0 ? first : second;
                int thread = t;
                tasks.add(() -> {
                    start.await();
                    var mine = new ArrayList<RecordedSignal>();
                    int n = 0;
                    while (n < SIGNALS / THREADS) {
                        int count = n % 10 == 8 ? 2 : 1;
                        var batch = new ArrayList<Signal>();
                        for (int i = 0; i < count; i++, n++) {
                            batch.add(Signal.of("gap.t" + thread, "gap-test", Map.of("n", n)));
                        }
                        mine.addAll(bus.publish(batch));
                    }
                    return mine;
                });
            }
            var futures = new ArrayList<Future<List<RecordedSignal>>>();
            tasks.forEach(task -> futures.add(threads.submit(task)));
            start.countDown();
            var published = new ArrayList<RecordedSignal>();
            for (Future<List<RecordedSignal>> future : futures) {
                published.addAll(future.get());
            }
            published.sort(Comparator.comparingLong(RecordedSignal::position));
            return published;
        } finally {
            threads.shutdownNow();
        }
    }

    private void assertEverySignalDeliveredOnceInOrder(SignalBus subscriberBus, List<RecordedSignal> published) {
        assertThat(published).extracting(RecordedSignal::position)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, SIGNALS).boxed().toList());

        // done when everything arrived, or when the subscriber has moved past the head (it skipped some)
        await().atMost(Duration.ofSeconds(60)).until(() -> received.size() >= SIGNALS
                || subscriberBus.status().subscriptions().get(0).checkpoint().position() >= SIGNALS);

        List<Delivery> deliveries = List.copyOf(received);
        assertThat(deliveries).extracting(Delivery::position)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, SIGNALS).boxed().toList());
        assertThat(deliveries).extracting(d -> d.signal().id())
                .containsExactlyElementsOf(published.stream().map(r -> r.signal().id()).toList());
        assertThat(deliveries).extracting(Delivery::attempt).containsOnly(1);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            SubscriptionStatus status = subscriberBus.status().subscriptions().get(0);
            assertThat(status.checkpoint().position()).isEqualTo(SIGNALS);
            assertThat(status.head()).isEqualTo(SIGNALS);
        });
    }

    private <T extends AutoCloseable> T track(T resource) {
        resources.add(resource);
        return resource;
    }
}
