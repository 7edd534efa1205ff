package io.signalbus;

/** The bus was closed; it takes no more publishes or subscriptions. */
public class BusClosedException extends SignalBusException {

    public BusClosedException(String busName) {
        super("bus '" + busName + "' is closed");
    }
}
