package io.signalbus;

/** Whether a subscription has a handler attached in this process. */
public enum SubscriptionState {
    /** A handler is attached here and receiving deliveries. */
    ACTIVE,
    /** A handler is attached here, but another process holds the subscription's claim and serves it. */
    STANDBY,
    /** A persistent subscription whose state is stored but which no handler serves here (reconnect it). */
    DISCONNECTED,
    /**
     * A handler is attached here, but the subscription is stuck: its dispatcher failed, or it cannot
     * read the log or store a dead letter (its checkpoint cannot pass it). It retries with backoff by
     * itself; {@code lastError} says why.
     */
    RECOVERING
}
