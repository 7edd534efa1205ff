package io.signalbus;

/** An ack or nack named a signal id that the subscription was not delivered. */
public class UnknownSignalException extends SignalBusException {

    public UnknownSignalException(String message) {
        super(message);
    }
}
