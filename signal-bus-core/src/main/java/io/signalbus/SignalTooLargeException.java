package io.signalbus;

/** A signal's serialised data is larger than the bus allows ({@code signal-bus.max-payload-size}). */
public class SignalTooLargeException extends InvalidSignalException {

    public SignalTooLargeException(String message) {
        super(message);
    }
}
