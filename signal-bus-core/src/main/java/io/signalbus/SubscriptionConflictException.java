package io.signalbus;

/** A persistent subscription id is already taken by a subscription with another pattern. */
public class SubscriptionConflictException extends SignalBusException {

    public SubscriptionConflictException(String message) {
        super(message);
    }
}
