package io.signalbus;

import java.util.List;

/**
 * A snapshot of one bus.
 *
 * @param busName       the bus
 * @param head          the last position of its log (0 when empty)
 * @param subscriptions every transient and persistent subscription, active or not
 */
public record BusStatus(String busName, long head, List<SubscriptionStatus> subscriptions) {

    public BusStatus {
        subscriptions = List.copyOf(subscriptions);
    }

    /** The number of subscriptions with a handler attached in this process. */
    public int activeSubscriptions() {
        return (int) subscriptions.stream().filter(s -> s.state() == SubscriptionState.ACTIVE).count();
    }
}
