package io.signalbus.spring.tracing;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.signalbus.PublishDecorator;
import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs every {@code SignalBus.publish} call in a {@code signalbus.publish} producer observation: its
 * timer measures the whole call (interceptors, the write and, outside a transaction, the wait for the
 * commit), its span is current while the bus writes, so the signals' {@code traceparent} names it and
 * handling spans are its children. A failed publish is recorded as the observation's error and
 * rethrown. With the no-op registry it adds nothing.
 */
public class ObservingPublishDecorator implements PublishDecorator {

    private final ObservationRegistry registry;

    /** @param registry where the observations go */
    public ObservingPublishDecorator(ObservationRegistry registry) {
        this.registry = registry;
    }

    @Override
    public List<RecordedSignal> around(String busName, List<Signal> signals, Supplier<List<RecordedSignal>> publish) {
        if (registry.isNoop()) {
            return publish.get();
        }
        return Observation.createNotStarted(null, SignalPublishingObservationConvention.DEFAULT,
                () -> new SignalPublishingContext(busName, signals), registry).observe(publish);
    }
}
