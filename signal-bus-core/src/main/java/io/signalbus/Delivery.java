package io.signalbus;

/** One attempt to hand a recorded signal to a subscription. */
public interface Delivery {

    /** The id of the subscription this delivery belongs to. */
    String subscriptionId();

    Signal signal();

    /** The signal's position in the bus log. */
    long position();

    /** 1 for the first delivery of this signal to this subscription, then 2, 3… */
    int attempt();

    /** Marks the signal processed; idempotent. A no-op for transient subscriptions. */
    void ack();

    /**
     * Reports a failed attempt: the signal is redelivered after a backoff, or dead-lettered once
     * the subscription's {@code maxAttempts} is reached. Ignored when this attempt is no longer the
     * current one (it timed out and was redelivered) and for transient subscriptions.
     */
    void nack(Throwable reason);
}
