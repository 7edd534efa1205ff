package io.signalbus;

/** A signal attribute (type, source, id, extension, data) is invalid; nothing was written. */
public class InvalidSignalException extends SignalBusException {

    public InvalidSignalException(String message) {
        super(message);
    }

    public InvalidSignalException(String message, Throwable cause) {
        super(message, cause);
    }
}
