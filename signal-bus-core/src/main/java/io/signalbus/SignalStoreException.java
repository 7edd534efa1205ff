package io.signalbus;

/** The store failed (I/O, SQL); the operation it was part of did not take effect. */
public class SignalStoreException extends SignalBusException {

    public SignalStoreException(String message) {
        super(message);
    }

    public SignalStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
