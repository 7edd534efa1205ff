package io.signalbus.spring.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.signalbus.spring.SignalBusAutoConfiguration;
import io.signalbus.spring.SignalBuses;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.event.ContextRefreshedEvent;

/**
 * Micrometer metrics of every bus, when the application has a {@link MeterRegistry}. Switch them
 * off with Boot's {@code management.metrics.enable.signalbus=false}.
 */
@AutoConfiguration(after = SignalBusAutoConfiguration.class, afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration" })
@ConditionalOnClass(MeterRegistry.class)
@ConditionalOnBean({ MeterRegistry.class, SignalBuses.class })
public class SignalBusMetricsAutoConfiguration {

    /** A listener, so every bus applies it; it finds the buses lazily, since they are built with it. */
    @Bean
    @ConditionalOnMissingBean
    MicrometerSignalBusListener micrometerSignalBusListener(MeterRegistry registry,
            ObjectProvider<SignalBuses> buses) {
        return new MicrometerSignalBusListener(registry, name -> buses.getObject().get(name).status(),
                Clock.systemUTC());
    }

    /**
     * Once the context has started (and {@code @SignalListener} methods have subscribed), registers the
     * gauges of the subscriptions that exist, including disconnected ones that emit no events here.
     */
    @Bean
    ApplicationListener<ContextRefreshedEvent> signalBusGaugeRegistrar(MicrometerSignalBusListener listener,
            SignalBuses buses) {
        return new GaugeRegistrar(listener, buses);
    }
}
