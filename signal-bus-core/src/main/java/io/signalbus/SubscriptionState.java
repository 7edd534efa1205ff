package io.signalbus;

/** Whether a subscription has a handler attached in this process. */
public enum SubscriptionState {
    /** A handler is attached here and receiving deliveries. */
    ACTIVE,
    /** A handler is attached here, but another process holds the subscription's claim and serves it. */
    STANDBY,
    /** A persistent subscription whose state is stored but which no handler serves here (reconnect it). */
    DISCONNECTED
}
