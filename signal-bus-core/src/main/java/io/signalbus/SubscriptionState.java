package io.signalbus;

/** Whether a subscription has a handler attached in this process. */
public enum SubscriptionState {
    /** A handler is attached and receiving deliveries. */
    ACTIVE,
    /** A persistent subscription whose state is stored but which no handler serves here (reconnect it). */
    DISCONNECTED
}
