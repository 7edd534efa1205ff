package io.signalbus.spring.tracing;

import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and keys of the {@code signalbus.publish} observation: low-cardinality {@code bus} (a metric
 * tag), high-cardinality {@code signalbus.signal.count} and, for a single signal, its id and type
 * (span attributes only). The span is named {@code <bus> publish}. Register a
 * {@code GlobalObservationConvention} of {@link SignalPublishingContext} to change them.
 */
public class SignalPublishingObservationConvention implements ObservationConvention<SignalPublishingContext> {

    /** The one instance the decorator uses by default. */
    public static final SignalPublishingObservationConvention DEFAULT = new SignalPublishingObservationConvention();

    @Override
    public String getName() {
        return "signalbus.publish";
    }

    @Override
    public String getContextualName(SignalPublishingContext context) {
        return context.getBusName() + " publish";
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(SignalPublishingContext context) {
        return KeyValues.of("bus", context.getBusName());
    }

    @Override
    public KeyValues getHighCardinalityKeyValues(SignalPublishingContext context) {
        var signals = context.getSignals();
        KeyValues values = KeyValues.of("signalbus.signal.count", Integer.toString(signals.size()));
        if (signals.size() == 1 && signals.get(0) != null) {
            values = values.and("signalbus.signal.id", signals.get(0).id(),
                    "signalbus.signal.type", signals.get(0).type());
        }
        return values;
    }

    @Override
    public boolean supportsContext(Observation.Context context) {
        return context instanceof SignalPublishingContext;
    }
}
