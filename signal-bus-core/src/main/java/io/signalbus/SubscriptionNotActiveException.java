package io.signalbus;

/** The operation needs a handler attached to the subscription in this process; reconnect first. */
public class SubscriptionNotActiveException extends SignalBusException {

    public SubscriptionNotActiveException(String busName, String subscriptionId, String operation) {
        super("subscription " + quote(subscriptionId) + " on bus " + quote(busName) + " is not served by this process (not"
                + " connected here, or another process holds its claim); reconnect it here before " + operation);
    }

    /** With a message that says what to do instead. */
    public SubscriptionNotActiveException(String message) {
        super(message);
    }
}
