package io.signalbus.spring.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.signalbus.BusStatus;
import io.signalbus.DeadLetter;
import io.signalbus.Delivery;
import io.signalbus.RecordedSignal;
import io.signalbus.SignalBusListener;
import io.signalbus.spring.BusStatusReading;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;

/**
 * Micrometer metrics of signal-bus, fed by the bus's listener SPI. Tags are only {@code bus} and
 * {@code subscription} (and {@code outcome} on deliveries), never signal ids or types, so the number
 * of series stays bounded by the application's subscriptions.
 * <ul>
 * <li>{@code signalbus.published} (counter; bus): signals committed to the log.</li>
 * <li>{@code signalbus.deliveries} (counter; bus, subscription, outcome): persistent delivery attempts
 * by how they ended: {@code acked}, {@code nacked} (nack or handler exception), {@code timed_out};
 * plus {@code dead_lettered} for each signal parked after its last failed attempt.</li>
 * <li>{@code signalbus.redrives} (counter; bus, subscription): dead letters put back for delivery.</li>
 * <li>{@code signalbus.delivery.latency} (timer; bus, subscription): from the signal's append to its
 * first handing to the handler.</li>
 * <li>{@code signalbus.lag}, {@code signalbus.in_flight}, {@code signalbus.dead_letters} (gauges; bus,
 * subscription): from the bus status, cached for a second and waited for at most
 * {@link #STATUS_READ_TIMEOUT}.</li>
 * </ul>
 * Time in the handler is the {@code signalbus.handle} observation's timer (see the tracing package),
 * not a meter of this listener, so that it is recorded once.
 */
public class MicrometerSignalBusListener implements SignalBusListener, AutoCloseable {

    /** How long the gauges of one bus reuse a status read. */
    public static final Duration STATUS_MAX_AGE = Duration.ofSeconds(1);

    /**
     * How long a scrape waits for a bus's status: a store that has not answered by then makes the
     * bus's gauges NaN, rather than holding the scrape (and every other meter of the application)
     * until its statements time out.
     */
    public static final Duration STATUS_READ_TIMEOUT = Duration.ofSeconds(1);

    private final ExecutorService statusReaders = BusStatusReading.readers("signal-bus-metrics");

    private final MeterRegistry registry;
    private final Clock clock;
    private final SubscriptionGauges gauges;
    private final Map<String, Counter> published = new ConcurrentHashMap<>();
    private final Map<Key, SubscriptionMeters> meters = new ConcurrentHashMap<>();

    /**
     * @param statusOfBus reads the status of a bus by name, for the gauges
     * @param clock       the clock of the buses (delivery latency compares it with {@code recordedAt})
     */
    public MicrometerSignalBusListener(MeterRegistry registry, Function<String, BusStatus> statusOfBus, Clock clock) {
        this(registry, statusOfBus, clock, STATUS_READ_TIMEOUT);
    }

    /** As the public constructor, waiting {@code statusReadTimeout} for a status. */
    MicrometerSignalBusListener(MeterRegistry registry, Function<String, BusStatus> statusOfBus, Clock clock,
            Duration statusReadTimeout) {
        this.registry = registry;
        this.clock = clock;
        this.gauges = new SubscriptionGauges(registry, statusOfBus, clock, STATUS_MAX_AGE, statusReaders,
                statusReadTimeout);
    }

    /** Stops the threads that read the buses' statuses for the gauges; the gauges then say NaN. */
    @Override
    public void close() {
        statusReaders.shutdownNow();
    }

    /** Registers the gauges of every persistent subscription the bus has now (others follow when seen). */
    public void registerGauges(String busName) {
        gauges.registerAll(busName);
    }

    @Override
    public void published(String busName, List<RecordedSignal> signals) {
        published.computeIfAbsent(busName, bus -> Counter.builder("signalbus.published")
                .description("Signals committed to the bus log")
                .tag("bus", bus)
                .register(registry)).increment(signals.size());
    }

    @Override
    public void delivering(String busName, Delivery delivery, RecordedSignal recorded) {
        SubscriptionMeters m = meters(busName, delivery.subscriptionId());
        if (delivery.attempt() == 1) {
            long millis = clock.millis() - recorded.recordedAt().toEpochMilli();
            m.latency.record(Duration.ofMillis(Math.max(0, millis)));
        }
    }

    @Override
    public void acked(String busName, String subscriptionId, long position, int attempt) {
        meters(busName, subscriptionId).acked.increment();
    }

    @Override
    public void nacked(String busName, String subscriptionId, long position, int attempt, Throwable reason) {
        meters(busName, subscriptionId).nacked.increment();
    }

    @Override
    public void timedOut(String busName, String subscriptionId, long position, int attempt) {
        meters(busName, subscriptionId).timedOut.increment();
    }

    @Override
    public void deadLettered(String busName, DeadLetter deadLetter) {
        meters(busName, deadLetter.subscriptionId()).deadLettered.increment();
    }

    @Override
    public void redriven(String busName, String subscriptionId, int count) {
        meters(busName, subscriptionId).redrives.increment(count);
    }

    private SubscriptionMeters meters(String busName, String subscriptionId) {
        SubscriptionMeters m = meters.get(new Key(busName, subscriptionId));
        return m != null ? m : meters.computeIfAbsent(new Key(busName, subscriptionId), key -> {
            gauges.register(busName, subscriptionId);
            return new SubscriptionMeters(registry, busName, subscriptionId);
        });
    }

    private record Key(String bus, String subscription) {
    }

    /** The meters of one subscription, looked up once rather than on every event. */
    private static final class SubscriptionMeters {

        final Counter acked;
        final Counter nacked;
        final Counter timedOut;
        final Counter deadLettered;
        final Counter redrives;
        final Timer latency;

        SubscriptionMeters(MeterRegistry registry, String bus, String subscription) {
            acked = deliveries(registry, bus, subscription, "acked");
            nacked = deliveries(registry, bus, subscription, "nacked");
            timedOut = deliveries(registry, bus, subscription, "timed_out");
            deadLettered = deliveries(registry, bus, subscription, "dead_lettered");
            redrives = Counter.builder("signalbus.redrives")
                    .description("Dead letters put back for delivery")
                    .tags("bus", bus, "subscription", subscription)
                    .register(registry);
            latency = Timer.builder("signalbus.delivery.latency")
                    .description("Time from a signal's append to the log to its first delivery to the handler")
                    .tags("bus", bus, "subscription", subscription)
                    .register(registry);
        }

        private static Counter deliveries(MeterRegistry registry, String bus, String subscription, String outcome) {
            return Counter.builder("signalbus.deliveries")
                    .description("Persistent delivery attempts by outcome; dead_lettered counts signals parked")
                    .tags("bus", bus, "subscription", subscription, "outcome", outcome)
                    .register(registry);
        }
    }
}
