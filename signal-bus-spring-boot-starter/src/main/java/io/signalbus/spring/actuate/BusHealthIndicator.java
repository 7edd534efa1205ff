package io.signalbus.spring.actuate;

import io.signalbus.BusStatus;
import io.signalbus.SignalBus;
import io.signalbus.SubscriptionState;
import io.signalbus.SubscriptionStatus;
import io.signalbus.spring.BusStatusReading;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The health of one bus and its persistent subscriptions, read within a bounded time; one member of
 * {@link SignalBusHealthContributor}, whose Javadoc states the rules.
 */
final class BusHealthIndicator implements HealthIndicator {

    private final SignalBus bus;
    private final @Nullable Long maxDeadLetters;
    private final long maxLag;
    private final StallDetector stalls;
    private final BusStatusReading reading;
    private final Duration maxUnsequencedAge;
    private final Clock clock;

    BusHealthIndicator(SignalBus bus, SignalBusHealthProperties properties, StallDetector stalls, Executor readers,
            Clock clock) {
        this.maxUnsequencedAge = properties.getMaxUnsequencedAge();
        this.clock = clock;
        this.bus = bus;
        this.maxDeadLetters = properties.getMaxDeadLetters();
        this.maxLag = properties.getMaxLag();
        this.stalls = stalls;
        this.reading = new BusStatusReading(bus::status, readers, properties.getTimeout());
    }

    @Override
    public Health health() {
        BusStatus status;
        try {
            status = reading.read();
        } catch (TimeoutException e) {
            return Health.down().withDetail("error", String.valueOf(e.getMessage())).build();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            return Health.down().withDetail("error", cause.getClass().getName() + ": " + cause.getMessage()).build();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Health.unknown().withDetail("error", "interrupted while reading the status").build();
        }
        return health(status);
    }

    private Health health(BusStatus status) {
        Map<String, Object> subscriptions = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        boolean recovering = false;
        for (SubscriptionStatus subscription : status.subscriptions()) {
            if (!subscription.persistent()) {
                continue;
            }
            ids.add(subscription.id());
            Map<String, Object> figures = figures(subscription);
            String problem = problem(subscription);
            if (problem != null) {
                recovering |= subscription.state() == SubscriptionState.RECOVERING;
                figures.put("problem", problem);
                problems.add("subscription '" + subscription.id() + "': " + problem);
            }
            subscriptions.put(subscription.id(), figures);
        }
        stalls.retain(bus.name(), ids);
        Duration unsequenced = status.oldestUnsequenced() == null ? null
                : Duration.between(status.oldestUnsequenced(), clock.instant());
        boolean unreadable = unsequenced != null && unsequenced.compareTo(maxUnsequencedAge) > 0;
        if (unreadable) {
            problems.add("signals committed " + unsequenced + " ago are not readable yet (no position; more than "
                    + maxUnsequencedAge + "): no process sequences the bus");
        }
        Health.Builder health = recovering || unreadable ? Health.down()
                : problems.isEmpty() ? Health.up() : Health.outOfService();
        health.withDetail("head", status.head()).withDetail("subscriptions", subscriptions);
        if (unsequenced != null) {
            health.withDetail("unsequencedAge", unsequenced);
        }
        if (!problems.isEmpty()) {
            health.withDetail("problems", problems);
        }
        return health.build();
    }

    private @Nullable String problem(SubscriptionStatus subscription) {
        if (subscription.state() == SubscriptionState.RECOVERING) {
            return "recovering: it cannot deliver (" + subscription.lastError() + ")";
        }
        if (subscription.state() != SubscriptionState.ACTIVE) {
            return null;
        }
        Duration stalledFor = stalls.stalledFor(bus.name(), subscription);
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
