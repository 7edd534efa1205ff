package io.signalbus;

/** No subscription with the given id exists on the bus. */
public class SubscriptionNotFoundException extends SignalBusException {

    public SubscriptionNotFoundException(String busName, String subscriptionId) {
        super("no subscription " + quote(subscriptionId) + " on bus " + quote(busName));
    }
}
