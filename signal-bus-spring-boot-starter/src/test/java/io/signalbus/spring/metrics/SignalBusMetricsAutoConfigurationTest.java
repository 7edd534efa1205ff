package io.signalbus.spring.metrics;

import static io.signalbus.testing.FastAwait.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.SubscribeOptions;
import io.signalbus.spring.SignalBusAutoConfiguration;
import io.signalbus.spring.SignalBuses;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

class SignalBusMetricsAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
            AutoConfigurations.of(SignalBusAutoConfiguration.class, SignalBusMetricsAutoConfiguration.class));

    @Test
    void bindsEveryBusToTheApplicationsMeterRegistry() {
        runner.withBean(SimpleMeterRegistry.class).withPropertyValues("signal-bus.buses.audit.max-attempts=3")
                .run(context -> {
                    assertThat(context).hasSingleBean(MicrometerSignalBusListener.class);
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    SignalBuses buses = context.getBean(SignalBuses.class);
                    buses.get("default").publish(Signal.of("a.b", "test", null));
                    buses.get("audit").publish(Signal.of("a.b", "test", null), Signal.of("a.c", "test", null));

                    assertThat(registry.get("signalbus.published").tag("bus", "default").counter().count()).isEqualTo(1);
                    assertThat(registry.get("signalbus.published").tag("bus", "audit").counter().count()).isEqualTo(2);
                });
    }

    @Test
    void worksWithBootsMetricsAutoConfiguration() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
                SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
                SignalBusAutoConfiguration.class, SignalBusMetricsAutoConfiguration.class)).run(context -> {
                    assertThat(context).hasSingleBean(MicrometerSignalBusListener.class);
                    context.getBean(SignalBus.class).publish(Signal.of("a.b", "test", null));
                    assertThat(context.getBean(MeterRegistry.class).get("signalbus.published").counter().count())
                            .isEqualTo(1);
                });
    }

    @Test
    void registersGaugesOfSubscriptionsThatExistWhenTheContextStarts() {
        runner.withBean(SimpleMeterRegistry.class).withUserConfiguration(SubscribingConfiguration.class)
                .run(context -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    assertThat(registry.find("signalbus.lag").tag("subscription", "idle").gauge()).isNotNull();
                    context.getBean(SignalBus.class).publish(Signal.of("a.b", "test", null));
                    await().until(() -> registry.get("signalbus.in_flight").tag("subscription", "idle").gauge()
                            .value() == 1);
                });
    }

    @Test
    void backsOffWithoutAMeterRegistry() {
        runner.run(context -> assertThat(context).doesNotHaveBean(MicrometerSignalBusListener.class));
    }

    @Test
    void backsOffWhenSignalBusIsDisabled() {
        runner.withBean(SimpleMeterRegistry.class).withPropertyValues("signal-bus.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(MicrometerSignalBusListener.class));
    }

    /** Subscribes during refresh, before the context-refreshed event, as {@code @SignalListener} methods do. */
    @Configuration(proxyBeanMethods = false)
    @Import(SignalBusAutoConfiguration.class)
    static class SubscribingConfiguration {

        @Bean
        Object idleSubscription(SignalBuses buses) {
            return buses.get("default").subscribe("a.**", SubscribeOptions.persistent("idle"), delivery -> {
            });
        }
    }
}
