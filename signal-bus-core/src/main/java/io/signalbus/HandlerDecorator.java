package io.signalbus;

/**
 * Wraps every subscription's handler, for cross-cutting work around each delivery (tracing
 * observations, MDC, security context). Decorators apply in the order added to the builder, the
 * first outermost.
 */
@FunctionalInterface
public interface HandlerDecorator {

    SignalHandler decorate(String busName, String subscriptionId, SignalHandler handler);
}
