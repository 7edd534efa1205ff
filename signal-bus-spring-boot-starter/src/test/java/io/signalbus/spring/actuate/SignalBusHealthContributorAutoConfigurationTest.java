package io.signalbus.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalbus.spring.SignalBusAutoConfiguration;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class SignalBusHealthContributorAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(
            AutoConfigurations.of(SignalBusAutoConfiguration.class, SignalBusHealthContributorAutoConfiguration.class));

    @Test
    void registersTheSignalBusContributorWithItsSettings() {
        runner.withPropertyValues("signal-bus.health.max-lag=50", "signal-bus.health.stall-timeout=2m",
                "signal-bus.health.max-dead-letters=3").run(context -> {
                    assertThat(context).hasSingleBean(SignalBusHealthContributor.class);
                    assertThat(context).hasBean("signalBusHealthContributor");
                    SignalBusHealthProperties properties = context.getBean(SignalBusHealthProperties.class);
                    assertThat(properties.getMaxLag()).isEqualTo(50);
                    assertThat(properties.getStallTimeout()).isEqualTo(Duration.ofMinutes(2));
                    assertThat(properties.getMaxDeadLetters()).isEqualTo(3L);
                    assertThat(((HealthIndicator) context.getBean(SignalBusHealthContributor.class)
                            .getContributor("default")).health().getStatus())
                            .isEqualTo(Status.UP);
                });
    }

    @Test
    void defaultsAreTenThousandFiveMinutesAndNoDeadLetterLimit() {
        runner.run(context -> {
            SignalBusHealthProperties properties = context.getBean(SignalBusHealthProperties.class);
            assertThat(properties.getMaxLag()).isEqualTo(10_000);
            assertThat(properties.getStallTimeout()).isEqualTo(Duration.ofMinutes(5));
            assertThat(properties.getMaxDeadLetters()).isNull();
        });
    }

    @Test
    void backsOffWhenTheIndicatorIsDisabled() {
        runner.withPropertyValues("management.health.signalbus.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(SignalBusHealthContributor.class));
    }

    @Test
    void backsOffWithoutSpringBootHealth() {
        runner.withClassLoader(new FilteredClassLoader("org.springframework.boot.health.contributor"))
                .run(context -> assertThat(context).doesNotHaveBean(SignalBusHealthContributor.class));
    }

    @Test
    void backsOffWhenSignalBusIsDisabled() {
        runner.withPropertyValues("signal-bus.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(SignalBusHealthContributor.class));
    }
}
