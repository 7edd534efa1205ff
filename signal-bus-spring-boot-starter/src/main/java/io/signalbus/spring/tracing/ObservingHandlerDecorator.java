package io.signalbus.spring.tracing;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.signalbus.HandlerDecorator;
import io.signalbus.SignalHandler;

/**
 * Runs every delivery in a {@code signalbus.handle} observation whose parent is the remote trace
 * context of the signal's {@code traceparent} extension. A handler exception is recorded as the
 * observation's error and rethrown (the bus then nacks). With the no-op registry it adds nothing.
 */
public class ObservingHandlerDecorator implements HandlerDecorator {

    private final ObservationRegistry registry;

    public ObservingHandlerDecorator(ObservationRegistry registry) {
        this.registry = registry;
    }

    @Override
    public SignalHandler decorate(String busName, String subscriptionId, SignalHandler handler) {
        return delivery -> {
            if (registry.isNoop()) {
                handler.handle(delivery);
                return;
            }
            Observation.createNotStarted(null, SignalHandlingObservationConvention.DEFAULT,
                    () -> new SignalHandlingContext(busName, delivery), registry)
                    .observeChecked(() -> handler.handle(delivery));
        };
    }
}
