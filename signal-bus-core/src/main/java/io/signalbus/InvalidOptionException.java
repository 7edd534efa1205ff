package io.signalbus;

/** An option or argument (subscription options, replay options, limits, ids) is out of range. */
public class InvalidOptionException extends SignalBusException {

    public InvalidOptionException(String message) {
        super(message);
    }
}
