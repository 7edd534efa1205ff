package io.signalbus.spring.tracing;

import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import io.signalbus.PublishInterceptor;
import io.signalbus.Signal;
import java.util.HashMap;
import java.util.Map;

/**
 * Puts the publishing thread's current trace context into the signal, as the CloudEvents distributed
 * tracing extension does: {@code traceparent} and, when there is one, {@code tracestate} (W3C Trace
 * Context, Spring Boot's default propagation). A signal that already carries a {@code traceparent}
 * keeps it; without a current span nothing is added.
 */
public class TraceContextPublishInterceptor implements PublishInterceptor {

    static final String TRACEPARENT = "traceparent";
    static final String TRACESTATE = "tracestate";

    private final Tracer tracer;
    private final Propagator propagator;

    public TraceContextPublishInterceptor(Tracer tracer, Propagator propagator) {
        this.tracer = tracer;
        this.propagator = propagator;
    }

    @Override
    public Signal beforePublish(String busName, Signal signal) {
        if (signal.extensions().containsKey(TRACEPARENT)) {
            return signal;
        }
        TraceContext context = tracer.currentTraceContext().context();
        if (context == null) {
            return signal;
        }
        Map<String, String> fields = new HashMap<>();
        propagator.inject(context, fields, (carrier, key, value) -> fields.put(key, value));
        String traceparent = fields.get(TRACEPARENT);
        if (traceparent == null) {
            return signal; // a propagation other than W3C: nothing that fits the CloudEvents extension
        }
        Signal.Builder builder = signal.toBuilder().extension(TRACEPARENT, traceparent);
        String tracestate = fields.get(TRACESTATE);
        if (tracestate != null && !tracestate.isEmpty()) {
            builder.extension(TRACESTATE, tracestate);
        }
        return builder.build();
    }
}
