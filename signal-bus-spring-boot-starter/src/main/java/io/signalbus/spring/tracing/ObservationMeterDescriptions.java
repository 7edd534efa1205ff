package io.signalbus.spring.tracing;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.Map;

/**
 * Gives the meters that Boot's observation handler records for {@code signalbus.handle} and
 * {@code signalbus.publish} a description (which Micrometer observations cannot carry), so that
 * Prometheus gets {@code # HELP} text for them.
 */
public class ObservationMeterDescriptions implements MeterFilter {

    private static final Map<String, String> DESCRIPTIONS = Map.of(
            "signalbus.handle", "Time spent in the subscription's handler per delivery attempt",
            "signalbus.handle.active", "Deliveries whose handler is running",
            "signalbus.publish", "Time a publish call takes: interceptors, the write and the wait for the commit",
            "signalbus.publish.active", "Publish calls under way");

    @Override
    public Meter.Id map(Meter.Id id) {
        String description = DESCRIPTIONS.get(id.getName());
        if (description == null || id.getDescription() != null) {
            return id;
        }
        return new Meter.Id(id.getName(), Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), description, id.getType());
    }
}
