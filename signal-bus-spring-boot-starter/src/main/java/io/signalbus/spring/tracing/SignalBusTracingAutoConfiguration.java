package io.signalbus.spring.tracing;

import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import io.signalbus.spring.SignalBusCustomizer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Observations of publishing and handling, and trace propagation through signals. With an
 * {@link ObservationRegistry}, every publish call runs in a {@code signalbus.publish} (producer)
 * observation and every delivery in a {@code signalbus.handle} (consumer) one; with a Micrometer
 * Tracing {@link Tracer} and {@link Propagator} too, published signals carry the publish span in
 * their {@code traceparent} extension and the handling observation continues that trace. With
 * Micrometer, the observations' meters get descriptions. Without them, nothing is added.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration",
        "org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration",
        "org.springframework.boot.micrometer.tracing.brave.autoconfigure.BraveAutoConfiguration",
        "org.springframework.boot.micrometer.tracing.opentelemetry.autoconfigure.OpenTelemetryTracingAutoConfiguration" })
@ConditionalOnClass(ObservationRegistry.class)
@ConditionalOnBooleanProperty(name = "signal-bus.enabled", matchIfMissing = true)
public class SignalBusTracingAutoConfiguration {

    @Bean
    @ConditionalOnBean(ObservationRegistry.class)
    @ConditionalOnMissingBean(ObservingHandlerDecorator.class)
    ObservingHandlerDecorator observingHandlerDecorator(ObservationRegistry registry) {
        return new ObservingHandlerDecorator(registry);
    }

    /** Adds the decorator to every bus. */
    @Bean
    @ConditionalOnBean(ObservingHandlerDecorator.class)
    SignalBusCustomizer observingHandlerDecoratorCustomizer(ObservingHandlerDecorator decorator) {
        return (busName, builder) -> builder.handlerDecorator(decorator);
    }

    @Bean
    @ConditionalOnBean(ObservationRegistry.class)
    @ConditionalOnMissingBean(ObservingPublishDecorator.class)
    ObservingPublishDecorator observingPublishDecorator(ObservationRegistry registry) {
        return new ObservingPublishDecorator(registry);
    }

    /** Adds the publish decorator to every bus. */
    @Bean
    @ConditionalOnBean(ObservingPublishDecorator.class)
    SignalBusCustomizer observingPublishDecoratorCustomizer(ObservingPublishDecorator decorator) {
        return (busName, builder) -> builder.publishDecorator(decorator);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(MeterFilter.class)
    static class MeterDescriptionConfiguration {

        @Bean
        @ConditionalOnMissingBean
        ObservationMeterDescriptions signalBusObservationMeterDescriptions() {
            return new ObservationMeterDescriptions();
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(Tracer.class)
    static class TracePropagationConfiguration {

        @Bean
        @ConditionalOnBean({ Tracer.class, Propagator.class })
        @ConditionalOnMissingBean
        TraceContextPublishInterceptor traceContextPublishInterceptor(Tracer tracer, Propagator propagator) {
            return new TraceContextPublishInterceptor(tracer, propagator);
        }
    }
}
