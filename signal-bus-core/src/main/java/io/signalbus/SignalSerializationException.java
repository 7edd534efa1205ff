package io.signalbus;

/**
 * A signal's data cannot be serialised to JSON (a reference cycle, a bean without properties, a value
 * Jackson has no serializer for); the signal cannot be published and nothing was written.
 */
public class SignalSerializationException extends InvalidSignalException {

    /** The message names the signal type and id and the serialiser's reason. */
    public SignalSerializationException(String message, Throwable cause) {
        super(message, cause);
    }
}
