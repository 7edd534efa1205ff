package io.signalbus.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalbus.spring.SignalBusAutoConfiguration;
import java.time.Duration;
import java.util.List;
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
        runner.withPropertyValues("management.health.signalbus.max-lag=50",
                "management.health.signalbus.stall-timeout=2m", "management.health.signalbus.max-dead-letters=3")
                .run(context -> {
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
    void theDeprecatedSignalBusHealthNamesStillBindAndTheNewNamesWin() {
        runner.withPropertyValues("signal-bus.health.max-lag=7", "signal-bus.health.timeout=5s",
                "management.health.signalbus.timeout=3s").run(context -> {
                    SignalBusHealthProperties properties = context.getBean(SignalBusHealthProperties.class);
                    assertThat(properties.getMaxLag()).isEqualTo(7);
                    assertThat(properties.getTimeout()).isEqualTo(Duration.ofSeconds(3));
                });
    }

    @Test
    void theDeprecatedNamesAreInTheMetadataWithTheirReplacements() throws Exception {
        String metadata;
        try (var in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
            metadata = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        var json = tools.jackson.databind.json.JsonMapper.builder().build().readTree(metadata);
        var names = new java.util.HashMap<String, tools.jackson.databind.JsonNode>();
        json.get("properties").forEach(p -> names.put(p.get("name").asString(), p));
        for (String name : List.of("max-lag", "stall-timeout", "max-dead-letters", "timeout")) {
            assertThat(names).containsKey("management.health.signalbus." + name);
            assertThat(names.get("signal-bus.health." + name).get("deprecation").get("replacement").asString())
                    .isEqualTo("management.health.signalbus." + name);
        }
        assertThat(names.get("signal-bus.jdbc.initialize-schema").get("type").asString())
                .isEqualTo("org.springframework.boot.sql.init.DatabaseInitializationMode");
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
