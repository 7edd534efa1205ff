package io.signalbus.spring.tracing;

import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.ReceiverContext;
import io.signalbus.Delivery;
import java.util.Map;

/**
 * The observation context of one delivery to a handler: a receiver context whose carrier is the
 * signal's extensions, so a tracing handler continues the trace of {@code traceparent}.
 */
public class SignalHandlingContext extends ReceiverContext<Map<String, Object>> {

    private final String busName;
    private final Delivery delivery;

    public SignalHandlingContext(String busName, Delivery delivery) {
        super((carrier, key) -> carrier.get(key) instanceof String value ? value : null, Kind.CONSUMER);
        this.busName = busName;
        this.delivery = delivery;
        setCarrier(delivery.signal().extensions());
        setRemoteServiceName("signalbus " + busName);
    }

    public String getBusName() {
        return busName;
    }

    public Delivery getDelivery() {
        return delivery;
    }
}
