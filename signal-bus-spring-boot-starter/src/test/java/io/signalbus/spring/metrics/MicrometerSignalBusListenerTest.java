package io.signalbus.spring.metrics;

import static io.signalbus.testing.FastAwait.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.signalbus.SignalBus;
import io.signalbus.StartFrom;
import io.signalbus.SubscribeOptions;
import io.signalbus.testing.MutableClock;
import io.signalbus.testing.RecordingHandler;
import io.signalbus.testing.TestBuses;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MicrometerSignalBusListenerTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MutableClock clock = MutableClock.startingAt("2026-01-01T00:00:00Z");
    private final AtomicInteger statusReads = new AtomicInteger();
    private final AtomicReference<SignalBus> busRef = new AtomicReference<>();
    private final MicrometerSignalBusListener listener = new MicrometerSignalBusListener(registry, name -> {
        statusReads.incrementAndGet();
        return busRef.get().status();
    }, clock);
    private final SignalBus bus = SignalBus.builder().name("orders").clock(clock).listener(listener)
            .pollInterval(Duration.ofMillis(10)).checkpointFlush(1, Duration.ofMillis(10)).build();

    MicrometerSignalBusListenerTest() {
        busRef.set(bus);
    }

    @AfterEach
    void close() {
        bus.close();
    }

    /** 0 while the meter does not exist yet (the bus registers it at the first event). */
    private double counter(String name, String... tags) {
        var counter = registry.find(name).tags(tags).counter();
        return counter != null ? counter.count() : 0;
    }

    private long timerCount(String name, String subscription) {
        var timer = registry.find(name).tags("bus", "orders", "subscription", subscription).timer();
        return timer != null ? timer.count() : 0;
    }

    private double gauge(String name, String subscription) {
        return registry.get(name).tags("bus", "orders", "subscription", subscription).gauge().value();
    }

    private void publish(int count) {
        for (int i = 0; i < count; i++) {
            bus.publish(TestBuses.signal("order.created", i));
        }
    }

    @Test
    void countsPublishedSignalsPerBus() {
        publish(3);

        assertThat(counter("signalbus.published", "bus", "orders")).isEqualTo(3);
    }

    @Test
    void countsAckedDeliveriesAndTimesLatencyButNotTheHandler() {
        RecordingHandler handler = RecordingHandler.acking();
        bus.subscribe("order.**", SubscribeOptions.persistent("order_processor"), handler);
        publish(2);

        await().until(() -> counter("signalbus.deliveries", "subscription", "order_processor", "outcome", "acked") == 2);
        assertThat(timerCount("signalbus.delivery.latency", "order_processor")).isEqualTo(2);
        assertThat(counter("signalbus.deliveries", "subscription", "order_processor", "outcome", "nacked")).isZero();
        assertThat(registry.find("signalbus.handler.duration").meters())
                .as("handler time is the signalbus.handle observation's timer").isEmpty();
    }

    @Test
    void deliveryLatencyIsTheTimeFromAppendToFirstDelivery() {
        RecordingHandler handler = RecordingHandler.manual();
        bus.subscribe("order.**", SubscribeOptions.persistent("late").startFrom(StartFrom.origin()).maxInFlight(1)
                .ackTimeout(Duration.ofHours(1)),
                handler);
        publish(2);
        await().until(() -> handler.count() == 1);
        clock.advance(Duration.ofSeconds(30));

        handler.last().ack();
        await().until(() -> handler.count() == 2);

        var latency = registry.get("signalbus.delivery.latency").tags("subscription", "late").timer();
        assertThat(latency.count()).isEqualTo(2);
        assertThat(latency.max(java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(30);
    }

    @Test
    void countsNacksDeadLettersAndRedrives() {
        RecordingHandler handler = RecordingHandler.acking().failingWhen(d -> true);
        bus.subscribe("order.**", SubscribeOptions.persistent("fragile").maxAttempts(1), handler);
        publish(2);
        await().until(() -> counter("signalbus.deliveries", "subscription", "fragile", "outcome", "dead_lettered") == 2);

        assertThat(counter("signalbus.deliveries", "subscription", "fragile", "outcome", "nacked")).isEqualTo(2);
        assertThat(bus.redriveDeadLetters("fragile", 10)).isEqualTo(2);
        assertThat(counter("signalbus.redrives", "bus", "orders", "subscription", "fragile")).isEqualTo(2);
    }

    @Test
    void countsAckTimeouts() {
        RecordingHandler handler = RecordingHandler.manual();
        bus.subscribe("order.**", SubscribeOptions.persistent("sleepy").ackTimeout(Duration.ofSeconds(5)), handler);
        publish(1);
        await().until(() -> handler.count() == 1);

        clock.advance(Duration.ofSeconds(6));

        await().until(() -> counter("signalbus.deliveries", "subscription", "sleepy", "outcome", "timed_out") == 1);
    }

    @Test
    void gaugesShowLagInFlightAndDeadLettersOfEachSubscription() {
        RecordingHandler handler = RecordingHandler.manual().failingWhen(d -> d.signal().dataAs(java.util.Map.class)
                .get("n").equals(0));
        bus.subscribe("order.**", SubscribeOptions.persistent("gauged").maxAttempts(1).startFrom(StartFrom.origin()),
                handler);
        publish(3);
        await().until(() -> handler.count() == 3);
        clock.advance(Duration.ofSeconds(2));

        assertThat(gauge("signalbus.lag", "gauged")).isEqualTo(2);
        assertThat(gauge("signalbus.in_flight", "gauged")).isEqualTo(2);
        assertThat(gauge("signalbus.dead_letters", "gauged")).isEqualTo(1);
    }

    @Test
    void gaugesOfOneBusShareOneStatusReadPerSecond() {
        bus.subscribe("order.**", SubscribeOptions.persistent("a"), RecordingHandler.acking());
        bus.subscribe("order.**", SubscribeOptions.persistent("b"), RecordingHandler.acking());
        listener.registerGauges("orders");
        statusReads.set(0);
        clock.advance(Duration.ofSeconds(2));

        for (Meter meter : registry.find("signalbus.lag").meters()) {
            meter.measure();
        }
        registry.find("signalbus.in_flight").gauges().forEach(g -> g.value());
        registry.find("signalbus.dead_letters").gauges().forEach(g -> g.value());
        assertThat(statusReads).hasValue(1);

        clock.advance(Duration.ofMillis(1001));
        gauge("signalbus.lag", "a");
        assertThat(statusReads).hasValue(2);
    }

    @Test
    void registerGaugesFindsSubscriptionsThatEmitNoEventsHere() {
        bus.subscribe("order.**", SubscribeOptions.persistent("elsewhere"), RecordingHandler.manual());
        bus.unsubscribe("elsewhere");
        publish(4);

        listener.registerGauges("orders");

        assertThat(gauge("signalbus.lag", "elsewhere")).isEqualTo(4);
    }

    @Test
    void unownedPartitionsGaugeCountsPartitionsNoInstanceServesWithOneSeriesPerSubscription() {
        bus.subscribe("order.**", SubscribeOptions.persistent("split").partitions(4), RecordingHandler.acking());
        bus.subscribe("order.**", SubscribeOptions.persistent("whole"), RecordingHandler.acking());
        listener.registerGauges("orders");
        await().until(() -> bus.status().subscriptions().stream().allMatch(s -> s.unownedPartitions() == 0));
        clock.advance(Duration.ofSeconds(2));
        assertThat(gauge("signalbus.partitions.unowned", "split")).isZero();

        bus.unsubscribe("split"); // releases every partition's claim
        clock.advance(Duration.ofSeconds(2));

        assertThat(gauge("signalbus.partitions.unowned", "split")).isEqualTo(4);
        assertThat(gauge("signalbus.partitions.unowned", "whole")).isZero();
        assertThat(registry.find("signalbus.partitions.unowned").gauges()).hasSize(2);
    }

    @Test
    void aGaugeIsNaNWhileTheStoreCannotBeRead() {
        var failing = new MicrometerSignalBusListener(registry, name -> {
            throw new IllegalStateException("store down");
        }, clock);
        failing.acked("broken", "sub", 1, 1);

        assertThat(registry.get("signalbus.lag").tags("bus", "broken").gauge().value()).isNaN();
    }

    @Test
    void tagsAreOnlyBusSubscriptionAndOutcome() {
        bus.subscribe("order.**", SubscribeOptions.persistent("tagged"), RecordingHandler.acking());
        publish(2);
        await().until(() -> counter("signalbus.deliveries", "subscription", "tagged", "outcome", "acked") == 2);

        registry.getMeters().stream().filter(m -> m.getId().getName().startsWith("signalbus."))
                .flatMap(m -> m.getId().getTags().stream())
                .forEach(tag -> assertThat(tag.getKey()).isIn("bus", "subscription", "outcome"));
    }

}
