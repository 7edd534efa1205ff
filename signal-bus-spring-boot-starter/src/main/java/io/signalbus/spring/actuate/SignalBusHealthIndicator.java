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
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Health of every bus and its persistent subscriptions.
 * <ul>
 * <li>{@code DOWN} when the store cannot be read (a bus's {@code status()} throws).</li>
 * <li>{@code OUT_OF_SERVICE} when a persistent subscription active in this process is stalled (lag
 * above {@code max-lag} without checkpoint progress for {@code stall-timeout}) or holds more dead
 * letters than {@code max-dead-letters}. The application and its store work; a subscription needs an
 * operator, which is what OUT_OF_SERVICE says (DOWN is kept for the store).</li>
 * <li>{@code UP} otherwise.</li>
 * </ul>
 * Disconnected subscriptions (served by another process or by none) are shown but do not change the
 * status: this process cannot make them progress.
 */
public class SignalBusHealthIndicator implements HealthIndicator {

    private final SignalBuses buses;
    private final @Nullable Long maxDeadLetters;
    private final long maxLag;
    private final StallDetector stalls;

    public SignalBusHealthIndicator(SignalBuses buses, SignalBusHealthProperties properties, Clock clock) {
        this.buses = buses;
        this.maxDeadLetters = properties.getMaxDeadLetters();
        this.maxLag = properties.getMaxLag();
        this.stalls = new StallDetector(properties.getMaxLag(), properties.getStallTimeout(), clock);
    }

    @Override
    public Health health() {
        Map<String, Object> details = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        boolean storeFailed = false;
        for (SignalBus bus : buses.all()) {
            BusStatus status;
            try {
                status = bus.status();
            } catch (RuntimeException e) {
                storeFailed = true;
                details.put(bus.name(), Map.of("error", e.getClass().getName() + ": " + e.getMessage()));
                continue;
            }
            details.put(bus.name(), busDetails(bus.name(), status, problems));
        }
        Health.Builder health = storeFailed ? Health.down()
                : problems.isEmpty() ? Health.up() : Health.outOfService();
        health.withDetail("buses", details);
        if (!problems.isEmpty()) {
            health.withDetail("problems", problems);
        }
        return health.build();
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
