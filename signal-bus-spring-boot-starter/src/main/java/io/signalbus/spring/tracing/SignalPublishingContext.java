package io.signalbus.spring.tracing;

import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.SenderContext;
import io.signalbus.Signal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The observation context of one {@code SignalBus.publish} call: a producer (sender) context, so that
 * a tracing handler opens a producer span, current while the bus writes the signals. The trace
 * context reaches the signals through {@link TraceContextPublishInterceptor}, which runs inside it;
 * the context's own carrier is a scratch map.
 */
public class SignalPublishingContext extends SenderContext<Map<String, String>> {

    private final String busName;
    private final List<Signal> signals;

    /**
     * @param busName the bus published to
     * @param signals the signals of the call, as the caller passed them
     */
    public SignalPublishingContext(String busName, List<Signal> signals) {
        super((carrier, key, value) -> {
            if (carrier != null) {
                carrier.put(key, value);
            }
        }, Kind.PRODUCER);
        this.busName = busName;
        this.signals = signals;
        setCarrier(new HashMap<>());
        setRemoteServiceName("signalbus " + busName);
    }

    /** The bus published to. */
    public String getBusName() {
        return busName;
    }

    /** The signals of the call, as the caller passed them (before interceptors). */
    public List<Signal> getSignals() {
        return signals;
    }
}
