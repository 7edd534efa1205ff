package io.signalbus;

/** A subscription or replay pattern does not follow the pattern grammar. */
public class InvalidPatternException extends SignalBusException {

    public InvalidPatternException(String message) {
        super(message);
    }
}
