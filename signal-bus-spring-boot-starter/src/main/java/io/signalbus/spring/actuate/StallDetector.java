package io.signalbus.spring.actuate;

import io.signalbus.SubscriptionStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Remembers, between health checks, since when each subscription of a bus has been lagging without
 * checkpoint progress. The timer starts at the first check that sees the lag above {@code maxLag} and
 * restarts whenever the checkpoint moves, so a subscription that was caught up is never stalled the
 * moment a burst arrives, only {@code stallTimeout} after a check first saw it behind.
 */
final class StallDetector {

    /** Since when the subscription has been at {@code position}, and whether it lagged at the last check. */
    private record Progress(long position, Instant since, boolean lagging) {
    }

    private final long maxLag;
    private final Duration stallTimeout;
    private final Clock clock;
    private final Map<String, Map<String, Progress>> progressByBus = new ConcurrentHashMap<>();

    StallDetector(long maxLag, Duration stallTimeout, Clock clock) {
        this.maxLag = maxLag;
        this.stallTimeout = stallTimeout;
        this.clock = clock;
    }

    /** How long the subscription has been stalled, or null when it is not (yet) stalled. */
    @Nullable Duration stalledFor(String busName, SubscriptionStatus status) {
        Instant now = clock.instant();
        long position = status.checkpoint().position();
        boolean lagging = status.lag() > maxLag;
        Progress progress = progressByBus.computeIfAbsent(busName, b -> new ConcurrentHashMap<>())
                .compute(status.id(), (id, previous) -> lagging && previous != null && previous.lagging()
                        && previous.position() == position ? previous : new Progress(position, now, lagging));
        Duration without = Duration.between(progress.since(), now);
        return lagging && without.compareTo(stallTimeout) >= 0 ? without : null;
    }

    /** Forgets subscriptions of the bus that no longer exist. */
    void retain(String busName, Set<String> subscriptionIds) {
        Map<String, Progress> progress = progressByBus.get(busName);
        if (progress != null) {
            progress.keySet().retainAll(subscriptionIds);
        }
    }
}
