package io.signalbus.spring;

import static io.signalbus.SignalBusException.quote;

import io.signalbus.SignalBusException;
import java.util.Set;

/** A bus name that is not configured. */
public class UnknownBusException extends SignalBusException {

    public UnknownBusException(String name, Set<String> known) {
        super("no bus named " + quote(name) + "; configured buses: " + known
                + " (add one with signal-bus.buses.<name>.*)");
    }
}
