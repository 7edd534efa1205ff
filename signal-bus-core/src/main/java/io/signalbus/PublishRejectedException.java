package io.signalbus;

/** A {@link PublishInterceptor} vetoed a publish; nothing of the call was written. */
public class PublishRejectedException extends SignalBusException {

    public PublishRejectedException(String message) {
        super(message);
    }
}
