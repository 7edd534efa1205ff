package io.signalbus.spring.actuate;

import io.signalbus.SignalBusException;

/** A path segment of the {@code signalbus} endpoint that names no resource or action (a 404 over HTTP). */
class UnknownEndpointPathException extends SignalBusException {

    UnknownEndpointPathException(String message) {
        super(message);
    }
}
