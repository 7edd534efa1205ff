package io.signalbus;

/**
 * A signal (its serialised data plus its attributes and extensions) is larger than the bus allows
 * ({@code signal-bus.max-payload-size}).
 */
public class SignalTooLargeException extends InvalidSignalException {

    public SignalTooLargeException(String message) {
        super(message);
    }
}
