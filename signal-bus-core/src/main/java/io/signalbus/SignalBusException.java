package io.signalbus;

/** Root of every exception signal-bus throws; each subclass says what was wrong and with which value. */
public class SignalBusException extends RuntimeException {

    public SignalBusException(String message) {
        super(message);
    }

    public SignalBusException(String message, Throwable cause) {
        super(message, cause);
    }
}
