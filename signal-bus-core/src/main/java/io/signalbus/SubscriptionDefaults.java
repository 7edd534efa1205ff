package io.signalbus;

import java.time.Duration;
import java.util.Objects;

/**
 * Bus-wide defaults for settings a subscription leaves unset.
 *
 * @param maxInFlight unacked deliveries per subscription (the guide's 1000)
 * @param maxAttempts deliveries of one signal before it is dead-lettered
 * @param ackTimeout  how long a delivery may stay unacked before it is redelivered
 * @param startFrom   where a new persistent subscription starts
 * @param retry       backoff between attempts
 */
public record SubscriptionDefaults(int maxInFlight, int maxAttempts, Duration ackTimeout, StartFrom startFrom,
        RetryPolicy retry) {

    /** maxInFlight 1000, maxAttempts 5, ackTimeout 30 s, start from current, {@link RetryPolicy#defaults()}. */
    public static final SubscriptionDefaults STANDARD = new SubscriptionDefaults(1000, 5, Duration.ofSeconds(30),
            StartFrom.current(), RetryPolicy.defaults());

    public SubscriptionDefaults {
        InvalidOptionException.requireRange("maxInFlight", maxInFlight, 1, SubscribeOptions.MAX_IN_FLIGHT_LIMIT);
        InvalidOptionException.requireRange("maxAttempts", maxAttempts, 1, SubscribeOptions.MAX_ATTEMPTS_LIMIT);
        InvalidOptionException.requirePositive("ackTimeout", ackTimeout);
        Objects.requireNonNull(startFrom, "startFrom");
        Objects.requireNonNull(retry, "retry");
    }
}
