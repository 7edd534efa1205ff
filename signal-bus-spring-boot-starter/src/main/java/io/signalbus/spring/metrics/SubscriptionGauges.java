package io.signalbus.spring.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.signalbus.BusStatus;
import io.signalbus.SubscriptionStatus;
import io.signalbus.spring.BusStatusReading;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code signalbus.lag}, {@code signalbus.in_flight}, {@code signalbus.dead_letters} and
 * {@code signalbus.partitions.unowned} gauges of every persistent subscription, registered as subscriptions are seen, and the
 * {@code signalbus.unsequenced.age} gauge of every bus (seconds since the oldest signal waiting to
 * become readable was published: committed inside a transaction, no position yet; 0 when none). All gauges of one bus read one
 * cached {@link BusStatus}, refreshed at most once per {@code maxAge}, so a scrape queries the store
 * once per bus rather than once per gauge. A refresh reads on a thread of {@code readers} and is
 * waited for at most {@code readTimeout} ({@link BusStatusReading}): a store that does not answer
 * makes the bus's gauges NaN, and never holds a scrape longer than that. A refresh also registers
 * subscriptions it finds.
 */
final class SubscriptionGauges {

    private static final Logger log = LoggerFactory.getLogger(SubscriptionGauges.class);

    private final MeterRegistry registry;
    private final Function<String, BusStatus> statusOfBus;
    private final Clock clock;
    private final long maxAgeMillis;
    private final Executor readers;
    private final Duration readTimeout;
    private final Map<String, CachedStatus> caches = new ConcurrentHashMap<>();
    private final Set<String> registered = ConcurrentHashMap.newKeySet();

    SubscriptionGauges(MeterRegistry registry, Function<String, BusStatus> statusOfBus, Clock clock, Duration maxAge,
            Executor readers, Duration readTimeout) {
        this.registry = registry;
        this.statusOfBus = statusOfBus;
        this.clock = clock;
        this.maxAgeMillis = maxAge.toMillis();
        this.readers = readers;
        this.readTimeout = readTimeout;
    }

    /** Registers the gauges of a subscription unless they exist; cheap when they do. */
    void register(String busName, String subscriptionId) {
        if (!registered.add(busName + '\u0000' + subscriptionId)) {
            return;
        }
        CachedStatus cache = cache(busName);
        Tags tags = Tags.of("bus", busName, "subscription", subscriptionId);
        gauge("signalbus.lag", "Log positions of the bus not yet settled by the subscription (head - checkpoint)",
                cache, subscriptionId, SubscriptionStatus::lag, tags);
        gauge("signalbus.in_flight", "Deliveries handed to the subscription's handler and not yet acked",
                cache, subscriptionId, SubscriptionStatus::inFlight, tags);
        gauge("signalbus.dead_letters", "Dead letters of the subscription waiting to be redriven or discarded",
                cache, subscriptionId, SubscriptionStatus::deadLetters, tags);
        // per subscription, never per partition: a partition tag would multiply every series by up to 256
        gauge("signalbus.partitions.unowned", "Partitions of the subscription that no instance serves now (no live"
                + " claim); 0 when it is not partitioned", cache, subscriptionId, SubscriptionStatus::unownedPartitions,
                tags);
    }

    /** Reads the bus's status once and registers its gauge and those of every persistent subscription in it. */
    void registerAll(String busName) {
        CachedStatus cache = cache(busName);
        if (registered.add(busName)) {
            Gauge.builder("signalbus.unsequenced.age", cache, CachedStatus::unsequencedAgeSeconds)
                    .description("Seconds since the oldest signal committed inside a transaction and not yet readable"
                            + " (no position yet) was published; 0 when none waits")
                    .baseUnit("seconds")
                    .tags(Tags.of("bus", busName))
                    .strongReference(true)
                    .register(registry);
        }
        cache.current();
    }

    private CachedStatus cache(String busName) {
        return caches.computeIfAbsent(busName, CachedStatus::new);
    }

    private void gauge(String name, String description, CachedStatus cache, String subscriptionId,
            ToDoubleFunction<SubscriptionStatus> figure, Tags tags) {
        Gauge.builder(name, cache, c -> c.figure(subscriptionId, figure))
                .description(description)
                .tags(tags)
                .strongReference(true)
                .register(registry);
    }

    /** One bus's status and when it was read. */
    private final class CachedStatus {

        /** What a refresh found; {@code read} false when the store could not be read (every gauge is then NaN). */
        private record Snapshot(long readAtMillis, Map<String, SubscriptionStatus> byId,
                @Nullable Instant oldestUnsequenced, boolean read) {
        }

        private final String busName;
        private final BusStatusReading reading;
        private volatile @Nullable Snapshot snapshot;

        CachedStatus(String busName) {
            this.busName = busName;
            this.reading = new BusStatusReading(() -> statusOfBus.apply(busName), readers, readTimeout);
        }

        double figure(String subscriptionId, ToDoubleFunction<SubscriptionStatus> figure) {
            SubscriptionStatus status = current().byId().get(subscriptionId);
            return status != null ? figure.applyAsDouble(status) : Double.NaN;
        }

        /** NaN while the store cannot be read: unknown, never "nothing waits". */
        double unsequencedAgeSeconds() {
            Snapshot current = current();
            if (!current.read()) {
                return Double.NaN;
            }
            Instant oldest = current.oldestUnsequenced();
            return oldest == null ? 0 : Math.max(0, clock.millis() - oldest.toEpochMilli()) / 1000.0;
        }

        Snapshot current() {
            Snapshot current = snapshot;
            if (current != null && clock.millis() - current.readAtMillis() < maxAgeMillis) {
                return current;
            }
            synchronized (this) {
                current = snapshot;
                long now = clock.millis();
                if (current != null && now - current.readAtMillis() < maxAgeMillis) {
                    return current;
                }
                try {
                    BusStatus status = reading.read();
                    current = new Snapshot(now, persistentById(status), status.oldestUnsequenced(), true);
                } catch (TimeoutException | ExecutionException e) {
                    // keep scraping cheap while the store is down: remember the failure for maxAge too
                    log.debug("signal-bus gauges could not read the status of bus '{}'", busName, e);
                    current = new Snapshot(now, Map.of(), null, false);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    current = new Snapshot(now, Map.of(), null, false);
                }
                snapshot = current;
            }
            current.byId().keySet().forEach(id -> register(busName, id));
            return current;
        }

        private static Map<String, SubscriptionStatus> persistentById(BusStatus status) {
            Map<String, SubscriptionStatus> byId = new ConcurrentHashMap<>();
            status.subscriptions().stream().filter(SubscriptionStatus::persistent).forEach(s -> byId.put(s.id(), s));
            return byId;
        }
    }
}
