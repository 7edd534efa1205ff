package io.signalbus.spring.actuate;

import io.signalbus.BusStatus;
import io.signalbus.SignalBus;
import io.signalbus.SubscriptionState;
import io.signalbus.SubscriptionStatus;
import io.signalbus.spring.SignalBuses;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of every bus and its persistent subscriptions, within a bounded time: the buses' statuses
 * are read on a thread of the indicator's own, and a check waits for them at most {@code timeout}
 * (2 s by default). While a check is still waiting for the store, later checks share it rather than
 * start another, so a store that stopped answering holds one thread, not one per check.
 * <ul>
 * <li>{@code DOWN} when the store cannot be read (a bus's {@code status()} throws) or has not answered
 * within the timeout; the details name the error, or how long the store has not answered.</li>
 * <li>{@code OUT_OF_SERVICE} when a persistent subscription active in this process is stalled (lag
 * above {@code max-lag} without checkpoint progress for {@code stall-timeout}) or holds more dead
 * letters than {@code max-dead-letters}. The application and its store work; a subscription needs an
 * operator, which is what OUT_OF_SERVICE says (DOWN is kept for the store).</li>
 * <li>{@code UP} otherwise.</li>
 * </ul>
 * Disconnected subscriptions (served by another process or by none) are shown but do not change the
 * status: this process cannot make them progress.
 */
public class SignalBusHealthIndicator implements HealthIndicator, AutoCloseable {

    private final SignalBuses buses;
    private final @Nullable Long maxDeadLetters;
    private final long maxLag;
    private final StallDetector stalls;
    private final Duration timeout;
    private final ExecutorService checks = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "signal-bus-health");
        thread.setDaemon(true);
        return thread;
    });
    /** The latest reading of the buses' statuses; a new one starts only once it has finished. */
    private @Nullable Reading reading;

    /** One reading of every bus's status: each bus's {@link BusStatus}, or the exception it threw. */
    private record Reading(long startedNanos, Map<String, Object> results, Future<?> done) {
    }

    public SignalBusHealthIndicator(SignalBuses buses, SignalBusHealthProperties properties, Clock clock) {
        this.buses = buses;
        this.maxDeadLetters = properties.getMaxDeadLetters();
        this.maxLag = properties.getMaxLag();
        this.stalls = new StallDetector(properties.getMaxLag(), properties.getStallTimeout(), clock);
        this.timeout = properties.getTimeout();
    }

    @Override
    public Health health() {
        Reading reading = read();
        Map<String, Object> details = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        boolean storeFailed = false;
        for (SignalBus bus : buses.all()) {
            Object result = reading.results().get(bus.name());
            if (result instanceof BusStatus status) {
                details.put(bus.name(), busDetails(bus.name(), status, problems));
                continue;
            }
            storeFailed = true;
            details.put(bus.name(), Map.of("error", result instanceof RuntimeException e
                    ? e.getClass().getName() + ": " + e.getMessage()
                    : "the store has not answered for " + Duration.ofMillis(TimeUnit.NANOSECONDS.toMillis(
                            System.nanoTime() - reading.startedNanos())) + " (timeout " + timeout + ")"));
        }
        Health.Builder health = storeFailed ? Health.down()
                : problems.isEmpty() ? Health.up() : Health.outOfService();
        health.withDetail("buses", details);
        if (!problems.isEmpty()) {
            health.withDetail("problems", problems);
        }
        return health.build();
    }

    /**
     * Starts a reading unless one is still running, and waits for it until {@code timeout} after it
     * started; returns it, finished or not.
     */
    private Reading read() {
        Reading current;
        synchronized (this) {
            if (reading == null || reading.done().isDone()) {
                Map<String, Object> results = new ConcurrentHashMap<>();
                reading = new Reading(System.nanoTime(), results, checks.submit(() -> {
                    for (SignalBus bus : buses.all()) {
                        try {
                            results.put(bus.name(), bus.status());
                        } catch (RuntimeException e) {
                            results.put(bus.name(), e);
                        }
                    }
                }));
            }
            current = reading;
        }
        long left = current.startedNanos() + timeout.toNanos() - System.nanoTime();
        try {
            current.done().get(Math.max(0, left), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            // reported per bus: those without a result have not answered
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            throw new IllegalStateException("reading the status of the signal buses failed", e.getCause());
        }
        return current;
    }

    /** Stops the thread that reads the buses' statuses. */
    @Override
    public void close() {
        checks.shutdownNow();
    }

    private Map<String, Object> busDetails(String busName, BusStatus status, List<String> problems) {
        Map<String, Object> subscriptions = new LinkedHashMap<>();
        Set<String> ids = new HashSet<>();
        for (SubscriptionStatus subscription : status.subscriptions()) {
            if (!subscription.persistent()) {
                continue;
            }
            ids.add(subscription.id());
            Map<String, Object> figures = figures(subscription);
            String problem = problem(busName, subscription);
            if (problem != null) {
                figures.put("problem", problem);
                problems.add("bus '" + busName + "', subscription '" + subscription.id() + "': " + problem);
            }
            subscriptions.put(subscription.id(), figures);
        }
        stalls.retain(busName, ids);
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("head", status.head());
        details.put("subscriptions", subscriptions);
        return details;
    }

    private @Nullable String problem(String busName, SubscriptionStatus subscription) {
        if (subscription.state() != SubscriptionState.ACTIVE) {
            return null;
        }
        Duration stalledFor = stalls.stalledFor(busName, subscription);
        if (stalledFor != null) {
            return "stalled: lag " + subscription.lag() + " is above " + maxLag
                    + " and the checkpoint has not moved for " + stalledFor;
        }
        if (maxDeadLetters != null && subscription.deadLetters() > maxDeadLetters) {
            return subscription.deadLetters() + " dead letters, more than the " + maxDeadLetters + " allowed";
        }
        return null;
    }

    private static Map<String, Object> figures(SubscriptionStatus subscription) {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("state", subscription.state());
        figures.put("pattern", subscription.pattern());
        figures.put("checkpoint", subscription.checkpoint().position());
        figures.put("head", subscription.head());
        figures.put("lag", subscription.lag());
        figures.put("inFlight", subscription.inFlight());
        figures.put("deadLetters", subscription.deadLetters());
        if (subscription.lastError() != null) {
            figures.put("lastError", subscription.lastError());
        }
        return figures;
    }
}
