package io.signalbus;

import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A snapshot of one bus.
 *
 * @param busName       the bus
 * @param head          the last position of its log (0 when empty)
 * @param subscriptions every transient and persistent subscription, active or not
 * @param oldestUnsequenced when the oldest signal was published that is committed but not yet readable
 *                      (published inside a transaction, waiting for its position); null when none
 *                      waits, or the store has no such state
 */
public record BusStatus(String busName, long head, List<SubscriptionStatus> subscriptions,
        @Nullable Instant oldestUnsequenced) {

    /** A snapshot with no signal waiting to become readable. */
    public BusStatus(String busName, long head, List<SubscriptionStatus> subscriptions) {
        this(busName, head, subscriptions, null);
    }

    public BusStatus {
        subscriptions = List.copyOf(subscriptions);
    }

    /** The number of subscriptions with a handler attached in this process. */
    public int activeSubscriptions() {
        return (int) subscriptions.stream().filter(s -> s.state() == SubscriptionState.ACTIVE).count();
    }
}
