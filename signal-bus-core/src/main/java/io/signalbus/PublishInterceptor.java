package io.signalbus;

/**
 * Middleware on the publish path, called for each signal before anything is written. It may return
 * the signal unchanged, return a transformed one, or veto the whole publish call by throwing
 * {@link PublishRejectedException} (or any {@link SignalBusException}); a veto writes nothing.
 */
@FunctionalInterface
public interface PublishInterceptor {

    Signal beforePublish(String busName, Signal signal);
}
