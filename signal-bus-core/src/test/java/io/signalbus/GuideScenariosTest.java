package io.signalbus;

import static io.signalbus.testing.FastAwait.await;
import static io.signalbus.testing.TestBuses.signal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import io.signalbus.store.InMemorySignalStore;
import io.signalbus.testing.MutableClock;
import io.signalbus.testing.RecordingHandler;
import io.signalbus.testing.TestBuses;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every example of the persistent-subscriptions guide, ported to Java idiom: a GenServer becomes a
 * {@link SignalHandler}, {@code {:error, reason}} becomes an exception or a skipped ack, and
 * {@code Process.sleep}/timers become a hand-moved clock.
 */
class GuideScenariosTest {

    private static final Logger log = LoggerFactory.getLogger(GuideScenariosTest.class);
    private static final Duration NOTHING_HAPPENS = Duration.ofMillis(100);

    private final MutableClock clock = MutableClock.startingAt("2026-03-01T10:00:00Z");
    private final InMemorySignalStore store = new InMemorySignalStore();
    private final List<SignalBus> buses = new ArrayList<>();

    @AfterEach
    void close() {
        buses.forEach(SignalBus::close);
    }

    private SignalBus bus(String name, SignalBusListener... listeners) {
        var builder = TestBuses.builder(store, clock).name(name);
        for (SignalBusListener listener : listeners) {
            builder.listener(listener);
        }
        SignalBus bus = builder.build();
        buses.add(bus);
        return bus;
    }

    private static SubscriptionStatus status(SignalBus bus, String id) {
        return bus.status().subscriptions().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }

    /** Moves the clock past the ack timeout, then past the first backoff: unacked deliveries come again. */
    private void passAckTimeoutAndFirstBackoff(SignalBus bus, String subscriptionId) {
        clock.advance(Duration.ofSeconds(30));
        await().until(() -> status(bus, subscriptionId).lastError() != null);
        clock.advance(Duration.ofSeconds(1));
    }

    // ------------------------------------------------------------------ Basic acknowledgment pattern

    record Payment(@Nullable BigDecimal amount, @Nullable String accountId) {
    }

    /** The guide's PaymentProcessor GenServer. */
    static final class PaymentProcessor implements SignalHandler {

        static final String SUBSCRIPTION_ID = "payment_processor";

        private final SignalBus bus;
        final AtomicInteger processedCount = new AtomicInteger();
        final List<Delivery> failed = new CopyOnWriteArrayList<>();

        PaymentProcessor(SignalBus bus) {
            this.bus = bus;
        }

        String start() {
            return bus.subscribe("payment.processed", SubscribeOptions.persistent(SUBSCRIPTION_ID), this);
        }

        @Override
        public void handle(Delivery delivery) {
            Signal signal = delivery.signal();
            if (processPayment(signal)) {
                bus.ack(SUBSCRIPTION_ID, signal.id()); // acknowledge successful processing
                processedCount.incrementAndGet();
            } else {
                log.info("Payment processing failed: invalid payment data in signal {}", signal.id());
                failed.add(delivery); // not acknowledged: the signal will be redelivered
            }
        }

        private static boolean processPayment(Signal signal) {
            Payment payment = signal.dataAs(Payment.class);
            return payment != null && payment.amount() != null && payment.amount().signum() > 0
                    && payment.accountId() != null;
        }
    }

    private static Signal payment(Map<String, ?> data) {
        return Signal.of("payment.processed", "payment_service", data);
    }

    @Test
    void paymentProcessorAcksValidPaymentsAndInvalidOnesAreRedeliveredAfterTheAckTimeout() {
        SignalBus paymentBus = bus("payment_bus");
        var processor = new PaymentProcessor(paymentBus);
        assertThat(processor.start()).isEqualTo("payment_processor");

        paymentBus.publish(payment(Map.of("amount", 100, "accountId", "acc-1")),
                payment(Map.of("amount", -5, "accountId", "acc-2")),
                payment(Map.of("amount", 30)),
                payment(Map.of("amount", new BigDecimal("42.50"), "accountId", "acc-3")));

        await().until(() -> processor.processedCount.get() == 2 && processor.failed.size() == 2);
        assertThat(status(paymentBus, "payment_processor").checkpoint().position()).isEqualTo(1);
        assertThat(status(paymentBus, "payment_processor").inFlight()).isEqualTo(2);

        passAckTimeoutAndFirstBackoff(paymentBus, "payment_processor");

        await().until(() -> processor.failed.size() == 4);
        assertThat(processor.failed.subList(2, 4)).extracting(Delivery::position, Delivery::attempt)
                .containsExactly(tuple(2L, 2), tuple(3L, 2));
        assertThat(processor.processedCount).hasValue(2);
    }

    // ------------------------------------------------------------------ Advanced configuration

    @Test
    void advancedConfigurationReadsTheLogFromOriginWithAtMostMaxInFlightUnacked() {
        SignalBus myBus = bus("my_bus");
        myBus.publish(IntStream.rangeClosed(1, 150).mapToObj(i -> signal("critical.disk.full", i)).toList());
        var handler = RecordingHandler.manual();

        String id = myBus.subscribe("critical.**", SubscribeOptions.persistent("critical_event_processor")
                .maxInFlight(100).startFrom(StartFrom.origin()).priority(100), handler);

        assertThat(id).isEqualTo("critical_event_processor");
        await().until(() -> handler.count() == 100);
        await().during(NOTHING_HAPPENS).until(() -> handler.count() == 100);
        assertThat(handler.positions()).containsExactlyElementsOf(LongStream.rangeClosed(1, 100).boxed().toList());
        handler.deliveries().forEach(Delivery::ack);
        await().until(() -> handler.count() == 150);
    }

    // ------------------------------------------------------------------ Batch acknowledgment

    /** The guide's BatchProcessor: collects 100 signals, processes them together, acks them with one call. */
    static final class BatchProcessor implements SignalHandler {

        static final int BATCH_SIZE = 100;

        private final SignalBus bus;
        private final String subscriptionId = "batch_processor";
        /** Touched only by the subscription's single dispatcher thread. */
        private final List<Signal> batch = new ArrayList<>();
        final AtomicInteger batchesProcessed = new AtomicInteger();

        BatchProcessor(SignalBus bus) {
            this.bus = bus;
        }

        void start() {
            bus.subscribe("batch.item.**", SubscribeOptions.persistent(subscriptionId).maxInFlight(500), this);
        }

        @Override
        public void handle(Delivery delivery) {
            batch.add(delivery.signal());
            if (batch.size() >= BATCH_SIZE) {
                processBatch(batch);
                bus.ack(subscriptionId, batch.stream().map(Signal::id).toList()); // acknowledge the entire batch
                batch.clear();
                batchesProcessed.incrementAndGet();
            }
        }

        private static void processBatch(List<Signal> signals) {
            log.debug("processing a batch of {} items", signals.size());
        }
    }

    @Test
    void batchProcessorAcksEachBatchOfOneHundredWithOneCall() {
        SignalBus batchBus = bus("batch_bus");
        var processor = new BatchProcessor(batchBus);
        processor.start();

        batchBus.publish(IntStream.rangeClosed(1, 250).mapToObj(i -> signal("batch.item.added", i)).toList());

        await().until(() -> processor.batchesProcessed.get() == 2);
        await().until(() -> status(batchBus, "batch_processor").checkpoint().position() == 200);
        assertThat(status(batchBus, "batch_processor").inFlight()).isEqualTo(50);

        batchBus.publish(IntStream.rangeClosed(251, 300).mapToObj(i -> signal("batch.item.added", i)).toList());

        await().until(() -> processor.batchesProcessed.get() == 3);
        await().until(() -> status(batchBus, "batch_processor").checkpoint().position() == 300);
        assertThat(status(batchBus, "batch_processor").inFlight()).isZero();
    }

    // ------------------------------------------------------------------ Reconnection pattern

    /** The guide's ResilientProcessor: reconnect, or create the subscription when it does not exist yet. */
    static final class ResilientProcessor implements SignalHandler {

        private final SignalBus bus;
        private final String subscriptionId;
        volatile boolean connected;
        volatile @Nullable Checkpoint lastCheckpoint;
        final List<String> processed = new CopyOnWriteArrayList<>();

        ResilientProcessor(SignalBus bus, String subscriptionId) {
            this.bus = bus;
            this.subscriptionId = subscriptionId;
        }

        boolean connect() {
            try {
                try {
                    lastCheckpoint = bus.reconnect(subscriptionId, this);
                    log.info("Reconnected to existing subscription at {}", lastCheckpoint);
                } catch (SubscriptionNotFoundException e) {
                    bus.subscribe("events.**", SubscribeOptions.persistent(subscriptionId), this);
                    log.info("Created new persistent subscription");
                }
                connected = true;
                log.info("Successfully connected to {}", bus.name());
            } catch (SignalBusException e) {
                log.info("Failed to connect: {}", e.getMessage());
                connected = false;
            }
            return connected;
        }

        void disconnect() {
            bus.unsubscribe(subscriptionId);
            connected = false;
        }

        @Override
        public void handle(Delivery delivery) {
            // the bus delivers only while a handler is attached, so no "ignore when disconnected" branch
            log.info("Processing signal: {}", delivery.signal().type());
            bus.ack(subscriptionId, delivery.signal().id());
            processed.add(delivery.signal().type());
        }
    }

    @Test
    void resilientProcessorCreatesItsSubscriptionThenReconnectsAndGetsWhatItMissed() {
        SignalBus eventsBus = bus("events_bus");
        var processor = new ResilientProcessor(eventsBus, "resilient_processor");

        assertThat(processor.connect()).isTrue();
        assertThat(processor.lastCheckpoint).as("created, not reconnected").isNull();
        assertThat(status(eventsBus, "resilient_processor").pattern()).isEqualTo("events.**");
        Instant firstTime = eventsBus.publish(signal("events.user.created", 1)).get(0).signal().time();
        await().until(() -> processor.processed.size() == 1);

        processor.disconnect();
        clock.advance(Duration.ofMinutes(1));
        eventsBus.publish(signal("events.order.placed", 2), signal("metrics.cpu", 3), signal("events.order.shipped", 4));
        assertThat(processor.connect()).isTrue();

        assertThat(processor.lastCheckpoint).isEqualTo(new Checkpoint(1, firstTime));
        await().until(() -> processor.processed.size() == 3);
        assertThat(processor.processed).containsExactly("events.user.created", "events.order.placed",
                "events.order.shipped");
        await().until(() -> status(eventsBus, "resilient_processor").checkpoint().position() == 4);
        assertThat(status(eventsBus, "resilient_processor").inFlight()).isZero();
    }

    @Test
    void resilientProcessorReportsAFailedConnection() {
        SignalBus eventsBus = bus("events_bus");
        eventsBus.close();
        var processor = new ResilientProcessor(eventsBus, "resilient_processor");

        assertThat(processor.connect()).isFalse();
        assertThat(processor.connected).isFalse();
    }

    // ------------------------------------------------------------------ Manual replay for recovery

    /** The guide's RecoveryProcessor: replays everything since a timestamp and acks what it processes. */
    static final class RecoveryProcessor {

        private final SignalBus bus;
        final List<String> recovered = new ArrayList<>();

        RecoveryProcessor(SignalBus bus) {
            this.bus = bus;
        }

        int recoverFromTimestamp(String subscriptionId, Instant fromTimestamp) {
            List<RecordedSignal> missed = bus.replay("**", ReplayOptions.since(fromTimestamp));
            log.info("Replaying {} missed signals", missed.size());
            for (RecordedSignal entry : missed) {
                try {
                    processSignal(entry.signal());
                    bus.ack(subscriptionId, entry.signal().id());
                    recovered.add(entry.signal().id());
                } catch (SignalBusException e) {
                    log.info("Recovery failed for signal {}: {}", entry.signal().id(), e.getMessage());
                }
            }
            return recovered.size();
        }

        private static void processSignal(Signal signal) {
            log.debug("recovering {}", signal.type());
        }
    }

    @Test
    void manualReplayRecoversEverySignalSinceATimestampAndAcksIt() {
        SignalBus myBus = bus("my_bus");
        var downstreamUp = new AtomicBoolean(true);
        var received = new CopyOnWriteArrayList<String>();
        myBus.subscribe("**", SubscribeOptions.persistent("processor_1"), delivery -> {
            if (downstreamUp.get()) {
                delivery.ack();
            }
            received.add(delivery.signal().id());
        });
        myBus.publish(signal("order.created", 1), signal("payment.processed", 2));
        await().until(() -> received.size() == 2);
        downstreamUp.set(false);
        clock.advance(Duration.ofMinutes(1));
        Instant outageStart = clock.instant();
        List<String> missed = myBus.publish(signal("order.created", 3), signal("audit.viewed", 4),
                signal("order.updated", 5)).stream().map(r -> r.signal().id()).toList();
        await().until(() -> received.size() == 5);
        assertThat(status(myBus, "processor_1").checkpoint().position()).isEqualTo(2);

        var recovery = new RecoveryProcessor(myBus);
        int recovered = recovery.recoverFromTimestamp("processor_1", outageStart);

        assertThat(recovered).isEqualTo(3);
        assertThat(recovery.recovered).containsExactlyElementsOf(missed);
        assertThat(status(myBus, "processor_1").checkpoint().position()).isEqualTo(5);
        assertThat(status(myBus, "processor_1").inFlight()).isZero();
        clock.advance(Duration.ofMinutes(1));
        await().during(NOTHING_HAPPENS).until(() -> received.size() == 5);
    }

    // ------------------------------------------------------------------ Complete working example

    record OrderItem(String sku, int quantity) {
    }

    record OrderCreated(@Nullable String orderId, @Nullable String customerId, @Nullable List<OrderItem> items) {
    }

    record OrderStats(int ordersProcessed, int errors, @Nullable Instant lastProcessedAt) {
    }

    static final class InvalidOrderException extends RuntimeException {
        InvalidOrderException(String reason) {
            super(reason);
        }
    }

    /** The guide's OrderProcessor with its stats. */
    static final class OrderProcessor implements SignalHandler {

        private final SignalBus bus;
        private final Clock clock;
        private final String subscriptionId;
        private int ordersProcessed;
        private int errors;
        private @Nullable Instant lastProcessedAt;
        final List<String> warnings = new CopyOnWriteArrayList<>();

        OrderProcessor(SignalBus bus, Clock clock, String subscriptionId) {
            this.bus = bus;
            this.clock = clock;
            this.subscriptionId = subscriptionId;
        }

        void start() {
            bus.subscribe("order.**", SubscribeOptions.persistent(subscriptionId).maxInFlight(50), this);
            log.info("OrderProcessor started with subscription: {}", subscriptionId);
        }

        synchronized OrderStats stats() {
            return new OrderStats(ordersProcessed, errors, lastProcessedAt);
        }

        @Override
        public void handle(Delivery delivery) {
            Signal signal = delivery.signal();
            log.debug("Processing order signal: {}", signal.type());
            try {
                processOrderSignal(signal);
            } catch (InvalidOrderException e) {
                log.info("Order processing failed: {}", e.getMessage());
                synchronized (this) {
                    errors++; // not acknowledged: the signal will be redelivered
                }
                return;
            }
            bus.ack(subscriptionId, signal.id());
            synchronized (this) {
                ordersProcessed++;
                lastProcessedAt = clock.instant();
            }
        }

        private void processOrderSignal(Signal signal) {
            switch (signal.type()) {
                case "order.created" -> processOrderCreated(signal.dataAs(OrderCreated.class));
                case "order.updated" -> log.info("Updating order {}", signal.dataAs(Map.class).get("orderId"));
                case "order.cancelled" -> log.info("Cancelling order {}", signal.dataAs(Map.class).get("orderId"));
                default -> {
                    log.info("Unknown order signal type: {}", signal.type());
                    warnings.add(signal.type());
                }
            }
        }

        private static void processOrderCreated(@Nullable OrderCreated order) {
            if (order == null || order.orderId() == null) {
                throw new InvalidOrderException("missing_order_id");
            }
            if (order.customerId() == null) {
                throw new InvalidOrderException("missing_customer_id");
            }
            if (order.items() == null || order.items().isEmpty()) {
                throw new InvalidOrderException("invalid_items");
            }
            log.info("Creating order {} for customer {}", order.orderId(), order.customerId());
        }
    }

    private static Signal order(String type, Map<String, ?> data) {
        return Signal.of(type, "order_service", data);
    }

    @Test
    void orderProcessorHandlesEveryOrderTypeAndKeepsStats() {
        SignalBus orderBus = bus("order_bus");
        var processor = new OrderProcessor(orderBus, clock, "order_processor");
        processor.start();

        // the guide's demo: one order created, then updated
        orderBus.publish(
                order("order.created", Map.of("orderId", "order_123", "customerId", "customer_456",
                        "items", List.of(Map.of("sku", "ITEM001", "quantity", 2)))),
                order("order.updated", Map.of("orderId", "order_123", "status", "processing")));
        await().until(() -> processor.stats().ordersProcessed() == 2);
        assertThat(processor.stats()).isEqualTo(new OrderStats(2, 0, clock.instant()));

        clock.advance(Duration.ofMinutes(1));
        orderBus.publish(
                order("order.cancelled", Map.of("orderId", "order_123")),
                order("order.refunded", Map.of("orderId", "order_123")),
                order("order.created", Map.of("orderId", "order_124", "items", List.of(Map.of("sku", "X", "quantity", 1)))),
                order("order.created", Map.of("orderId", "order_125", "customerId", "customer_9", "items", List.of())));

        await().until(() -> processor.stats().ordersProcessed() == 4 && processor.stats().errors() == 2);
        assertThat(processor.stats().lastProcessedAt()).isEqualTo(clock.instant());
        assertThat(processor.warnings).containsExactly("order.refunded");
        SubscriptionStatus status = status(orderBus, "order_processor");
        assertThat(status.checkpoint().position()).isEqualTo(4);
        assertThat(status.inFlight()).isEqualTo(2);
        assertThat(status.deadLetters()).isZero();

        passAckTimeoutAndFirstBackoff(orderBus, "order_processor");

        await().until(() -> processor.stats().errors() == 4);
        assertThat(processor.stats().ordersProcessed()).isEqualTo(4);
    }

    @Test
    void orderProcessorNeverHasMoreThanFiftyOrdersInFlight() {
        SignalBus orderBus = bus("order_bus");
        var processor = new OrderProcessor(orderBus, clock, "order_processor");
        processor.start();

        orderBus.publish(IntStream.rangeClosed(1, 60)
                .mapToObj(i -> order("order.created", Map.of("orderId", "order_" + i))).toList());

        await().until(() -> processor.stats().errors() == 50);
        await().during(NOTHING_HAPPENS).until(() -> processor.stats().errors() == 50);
        assertThat(status(orderBus, "order_processor").inFlight()).isEqualTo(50);
        assertThat(status(orderBus, "order_processor").lag()).isEqualTo(60);
    }

    // ------------------------------------------------------------------ Retry with exponential backoff

    static final class TemporaryFailure extends RuntimeException {
        TemporaryFailure(String message) {
            super(message);
        }
    }

    /**
     * The guide's RetryProcessor. The bus already retries with exponential backoff, so the handler keeps no
     * retry map: it nacks temporary failures up to three retries, then acks to stop retrying, and acks
     * permanent failures at once.
     */
    static final class RetryProcessor implements SignalHandler {

        static final int MAX_RETRIES = 3;

        private final Clock clock;
        private final Consumer<Signal> processing;
        final List<Instant> attemptTimes = new CopyOnWriteArrayList<>();
        final List<String> permanentFailures = new CopyOnWriteArrayList<>();

        RetryProcessor(Clock clock, Consumer<Signal> processing) {
            this.clock = clock;
            this.processing = processing;
        }

        @Override
        public void handle(Delivery delivery) {
            Instant now = clock.instant();
            String id = delivery.signal().id();
            try {
                processing.accept(delivery.signal());
                delivery.ack();
            } catch (TemporaryFailure e) {
                if (delivery.attempt() <= MAX_RETRIES) {
                    delivery.nack(e); // retried after 1 s, 2 s, 4 s
                } else {
                    log.info("Permanent failure for signal {}: max retries exceeded", id);
                    permanentFailures.add(id);
                    delivery.ack(); // acknowledge to prevent infinite retries
                }
            } catch (RuntimeException e) {
                log.info("Permanent failure for signal {}: {}", id, e.getMessage());
                permanentFailures.add(id);
                delivery.ack();
            }
            attemptTimes.add(now); // after the ack or nack: the retry time is set when a test sees this
        }
    }

    /** Processing that fails temporarily {@code times} times, then succeeds. */
    private static Consumer<Signal> failingTemporarily(int times) {
        var failures = new AtomicInteger();
        return signal -> {
            if (failures.getAndIncrement() < times) {
                throw new TemporaryFailure("service unavailable");
            }
        };
    }

    @Test
    void retryProcessorRetriesTemporaryFailuresWithExponentialBackoff() {
        SignalBus retryBus = bus("retry_bus");
        var processor = new RetryProcessor(clock, failingTemporarily(2));
        retryBus.subscribe("events.**", SubscribeOptions.persistent("retry_processor"), processor);
        Instant start = clock.instant();

        retryBus.publish(signal("events.order.placed", 1));
        await().until(() -> processor.attemptTimes.size() == 1);
        clock.advance(Duration.ofSeconds(1));
        await().until(() -> processor.attemptTimes.size() == 2);
        clock.advance(Duration.ofSeconds(2));
        await().until(() -> processor.attemptTimes.size() == 3);

        assertThat(processor.attemptTimes).containsExactly(start, start.plusSeconds(1), start.plusSeconds(3));
        assertThat(processor.permanentFailures).isEmpty();
        assertThat(status(retryBus, "retry_processor").checkpoint().position()).isEqualTo(1);
        assertThat(retryBus.deadLetters("retry_processor")).isEmpty();
    }

    @Test
    void retryProcessorAcksAfterThreeRetriesInsteadOfRetryingForever() {
        SignalBus retryBus = bus("retry_bus");
        var processor = new RetryProcessor(clock, failingTemporarily(Integer.MAX_VALUE));
        retryBus.subscribe("events.**", SubscribeOptions.persistent("retry_processor"), processor);
        String id = retryBus.publish(signal("events.order.placed", 1)).get(0).signal().id();

        await().until(() -> processor.attemptTimes.size() == 1);
        for (int seconds : new int[] {1, 2, 4}) {
            int before = processor.attemptTimes.size();
            clock.advance(Duration.ofSeconds(seconds));
            await().until(() -> processor.attemptTimes.size() == before + 1);
        }

        assertThat(processor.permanentFailures).containsExactly(id);
        assertThat(status(retryBus, "retry_processor").checkpoint().position()).isEqualTo(1);
        assertThat(retryBus.deadLetters("retry_processor")).isEmpty();
        clock.advance(Duration.ofMinutes(1));
        await().during(NOTHING_HAPPENS).until(() -> processor.attemptTimes.size() == 4);
    }

    @Test
    void retryProcessorAcksAPermanentErrorAtOnce() {
        SignalBus retryBus = bus("retry_bus");
        var processor = new RetryProcessor(clock, signal -> {
            throw new IllegalArgumentException("malformed event");
        });
        retryBus.subscribe("events.**", SubscribeOptions.persistent("retry_processor"), processor);
        String id = retryBus.publish(signal("events.order.placed", 1)).get(0).signal().id();

        await().until(() -> processor.attemptTimes.size() == 1);

        assertThat(processor.permanentFailures).containsExactly(id);
        assertThat(status(retryBus, "retry_processor").checkpoint().position()).isEqualTo(1);
        clock.advance(Duration.ofMinutes(1));
        await().during(NOTHING_HAPPENS).until(() -> processor.attemptTimes.size() == 1);
    }

    // ------------------------------------------------------------------ Dead letter queue pattern

    /** The guide's DeadLetterProcessor: after three failures a signal goes to a second bus as {@code dlq.<type>}. */
    static final class DeadLetterProcessor {

        static final int MAX_FAILURES = 3;

        private final SignalBus mainBus;
        private final SignalBus dlqBus;
        final AtomicInteger mainAttempts = new AtomicInteger();
        final List<Signal> deadLetters = new CopyOnWriteArrayList<>();

        DeadLetterProcessor(SignalBus mainBus, SignalBus dlqBus) {
            this.mainBus = mainBus;
            this.dlqBus = dlqBus;
        }

        void start() {
            mainBus.subscribe("events.**", SubscribeOptions.persistent("main_processor"), this::handleMainSignal);
            dlqBus.subscribe("dlq.**", SubscribeOptions.persistent("dlq_processor"), this::handleDlqSignal);
        }

        private void handleMainSignal(Delivery delivery) {
            Signal signal = delivery.signal();
            try {
                processSignal(signal);
                mainBus.ack("main_processor", signal.id());
            } catch (RuntimeException e) {
                if (delivery.attempt() >= MAX_FAILURES) {
                    dlqBus.publish(signal.toBuilder().type("dlq." + signal.type()).build()); // send to the DLQ
                    mainBus.ack("main_processor", signal.id()); // acknowledge the original signal
                } else {
                    delivery.nack(e); // track the failure, do not acknowledge
                }
            }
            mainAttempts.incrementAndGet();
        }

        private void handleDlqSignal(Delivery delivery) {
            log.info("Processing dead letter: {}", delivery.signal().type());
            deadLetters.add(delivery.signal());
            dlqBus.ack("dlq_processor", delivery.signal().id());
        }

        private static void processSignal(Signal signal) {
            if (signal.type().endsWith(".poison")) {
                throw new IllegalStateException("cannot process " + signal.type());
            }
        }
    }

    @Test
    void deadLetterProcessorMovesASignalThatFailedThreeTimesToTheDlqBus() {
        SignalBus mainBus = bus("main_bus");
        SignalBus dlqBus = bus("dlq_bus");
        var processor = new DeadLetterProcessor(mainBus, dlqBus);
        processor.start();

        List<RecordedSignal> published = mainBus.publish(signal("events.order.placed", 1),
                signal("events.order.poison", 2));
        await().until(() -> processor.mainAttempts.get() == 2);
        clock.advance(Duration.ofSeconds(1));
        await().until(() -> processor.mainAttempts.get() == 3);
        clock.advance(Duration.ofSeconds(2));

        await().until(() -> processor.deadLetters.size() == 1);
        Signal original = published.get(1).signal();
        Signal dead = processor.deadLetters.get(0);
        assertThat(dead.type()).isEqualTo("dlq.events.order.poison");
        assertThat(dead.id()).isEqualTo(original.id());
        assertThat(dead.data()).isEqualTo(original.data());
        await().until(() -> status(mainBus, "main_processor").checkpoint().position() == 2);
        await().until(() -> status(dlqBus, "dlq_processor").checkpoint().position() == 1);
        assertThat(mainBus.deadLetters("main_processor")).isEmpty();
        assertThat(dlqBus.replay("**", ReplayOptions.fromOrigin())).hasSize(1);
    }

    @Test
    void builtInDeadLettersCanBeForwardedToADlqBusByAListener() {
        SignalBus dlqBus = bus("dlq_bus");
        SignalBusListener forwarder = new SignalBusListener() {
            @Override
            public void deadLettered(String busName, DeadLetter deadLetter) {
                Signal signal = deadLetter.signal();
                dlqBus.publish(Signal.builder("dlq." + signal.type()).source("signal-bus:" + busName)
                        .data(signal.data()).extension("deadletterof", signal.id())
                        .extension("errortype", deadLetter.errorType()).build());
            }
        };
        SignalBus mainBus = bus("main_bus", forwarder);
        var dlqHandler = RecordingHandler.acking();
        dlqBus.subscribe("dlq.**", SubscribeOptions.persistent("dlq_processor"), dlqHandler);
        var mainHandler = RecordingHandler.manual().failingWhen(d -> true);
        mainBus.subscribe("events.**", SubscribeOptions.persistent("main_processor").maxAttempts(3), mainHandler);

        Signal poison = mainBus.publish(signal("events.order.poison", 1)).get(0).signal();
        await().until(() -> String.valueOf(status(mainBus, "main_processor").lastError()).contains("attempt 1"));
        clock.advance(Duration.ofSeconds(1));
        await().until(() -> String.valueOf(status(mainBus, "main_processor").lastError()).contains("attempt 2"));
        clock.advance(Duration.ofSeconds(2));

        await().until(() -> dlqHandler.count() == 1);
        Signal forwarded = dlqHandler.last().signal();
        assertThat(forwarded.type()).isEqualTo("dlq.events.order.poison");
        assertThat(forwarded.source()).isEqualTo("signal-bus:main_bus");
        assertThat(forwarded.extensions()).containsEntry("deadletterof", poison.id())
                .containsEntry("errortype", IllegalStateException.class.getName());
        assertThat(forwarded.data()).isEqualTo(poison.data());
        assertThat(mainBus.deadLetters("main_processor")).extracting(DeadLetter::position).containsExactly(1L);
        await().until(() -> status(mainBus, "main_processor").checkpoint().position() == 1);
    }

    // ------------------------------------------------------------------ Best practices

    /** The guide's SubscriptionHealthMonitor; the guide calls it every 30 s, the test calls it directly. */
    static final class SubscriptionHealthMonitor {

        private final SignalBus bus;
        private final String subscriptionId;
        private final SignalHandler handler;
        final AtomicInteger reconnections = new AtomicInteger();

        SubscriptionHealthMonitor(SignalBus bus, String subscriptionId, SignalHandler handler) {
            this.bus = bus;
            this.subscriptionId = subscriptionId;
            this.handler = handler;
        }

        void healthCheck() {
            int active = bus.status().activeSubscriptions();
            if (active > 0) {
                log.debug("Subscription healthy: {} active", active);
                return;
            }
            log.info("No active subscriptions detected");
            try {
                Checkpoint checkpoint = bus.reconnect(subscriptionId, handler);
                reconnections.incrementAndGet();
                log.info("Reconnection successful at {}", checkpoint);
            } catch (SignalBusException e) {
                log.info("Reconnection failed: {}", e.getMessage());
            }
        }
    }

    @Test
    void healthMonitorReconnectsWhenNoSubscriptionIsActive() {
        SignalBus myBus = bus("my_bus");
        var handler = RecordingHandler.acking();
        myBus.subscribe("events.**", SubscribeOptions.persistent("processor_1").maxInFlight(100), handler);
        var monitor = new SubscriptionHealthMonitor(myBus, "processor_1", handler);

        monitor.healthCheck();
        assertThat(monitor.reconnections).hasValue(0);

        myBus.unsubscribe("processor_1");
        myBus.publish(signal("events.user.created", 1));
        monitor.healthCheck();

        assertThat(monitor.reconnections).hasValue(1);
        assertThat(myBus.status().activeSubscriptions()).isEqualTo(1);
        await().until(() -> handler.count() == 1);
        assertThat(handler.last().position()).isEqualTo(1);
    }

    @Test
    void healthMonitorReportsAReconnectionThatFails() {
        SignalBus myBus = bus("my_bus");
        var monitor = new SubscriptionHealthMonitor(myBus, "never_created", RecordingHandler.acking());

        monitor.healthCheck();

        assertThat(monitor.reconnections).hasValue(0);
        assertThat(myBus.status().activeSubscriptions()).isZero();
    }
}
