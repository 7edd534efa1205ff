package io.signalbus.spring.tracing;

import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and keys of the {@code signalbus.handle} observation: low-cardinality {@code bus} and
 * {@code subscription} (they become metric tags), high-cardinality signal id, type, position and
 * attempt (span attributes only). Register a {@code GlobalObservationConvention} of
 * {@link SignalHandlingContext} to change them.
 */
public class SignalHandlingObservationConvention implements ObservationConvention<SignalHandlingContext> {

    /** The one instance the decorator uses by default. */
    public static final SignalHandlingObservationConvention DEFAULT = new SignalHandlingObservationConvention();

    @Override
    public String getName() {
        return "signalbus.handle";
    }

    @Override
    public String getContextualName(SignalHandlingContext context) {
        return context.getDelivery().subscriptionId() + " process";
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(SignalHandlingContext context) {
        return KeyValues.of("bus", context.getBusName(), "subscription", context.getDelivery().subscriptionId());
    }

    @Override
    public KeyValues getHighCardinalityKeyValues(SignalHandlingContext context) {
        var delivery = context.getDelivery();
        return KeyValues.of("signalbus.signal.id", delivery.signal().id(),
                "signalbus.signal.type", delivery.signal().type(),
                "signalbus.position", Long.toString(delivery.position()),
                "signalbus.attempt", Integer.toString(delivery.attempt()));
    }

    @Override
    public boolean supportsContext(Observation.Context context) {
        return context instanceof SignalHandlingContext;
    }
}
