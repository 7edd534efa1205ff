package io.signalbus.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalbus.RetryPolicy;
import io.signalbus.SignalBusBuilder;
import io.signalbus.StartFrom;
import io.signalbus.SubscriptionDefaults;
import java.io.InputStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.util.unit.DataSize;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Bus settings: every one overridable per bus, checked when bound, defaults defined by the library. */
class BusSettingsTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SignalBusAutoConfiguration.class));

    @Test
    void badStartFromFailsAtStartupNamingTheProperty() {
        runner.withPropertyValues("signal-bus.start-from=yesterday").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining("signal-bus.start-from")
                    .hasStackTraceContaining("invalid start-from 'yesterday'");
        });
    }

    @Test
    void badValueOfABusOfItsOwnFailsAtStartupNamingTheProperty() {
        runner.withPropertyValues("signal-bus.buses.audit.max-in-flight=0").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining("signal-bus.buses.audit")
                    .hasStackTraceContaining("max-in-flight must be between 1 and 100000, was 0");
        });
    }

    @Test
    void busSettingOverridesTheGlobalOneWhichOverridesTheLibraryDefault() {
        runner.withPropertyValues("signal-bus.max-attempts=7", "signal-bus.retry.max-backoff=2m",
                "signal-bus.buses.audit.max-attempts=9", "signal-bus.buses.audit.start-from=origin",
                "signal-bus.buses.audit.retry.jitter=0").run(context -> {
            SignalBusProperties properties = context.getBean(SignalBusProperties.class);
            SubscriptionDefaults audit = BusSettings.subscriptionDefaults(properties.layersOf("audit"));
            SubscriptionDefaults other = BusSettings.subscriptionDefaults(properties.layersOf("default"));

            assertThat(audit.maxAttempts()).isEqualTo(9);
            assertThat(audit.startFrom()).isEqualTo(StartFrom.origin());
            assertThat(audit.retry()).isEqualTo(new RetryPolicy(Duration.ofSeconds(1), Duration.ofMinutes(2), 2.0, 0.0));
            assertThat(other.maxAttempts()).isEqualTo(7);
            assertThat(other.startFrom()).isEqualTo(StartFrom.current());
            assertThat(other.maxInFlight()).isEqualTo(SubscriptionDefaults.STANDARD.maxInFlight());
            assertThat(other.retry().jitter()).isEqualTo(SubscriptionDefaults.STANDARD.retry().jitter());
        });
    }

    @Test
    void listenersOwnBackoffTakesTheRestFromItsBus() {
        var global = new SignalBusProperties();
        global.getRetry().setMultiplier(3.0);
        var listener = new BusSettings();
        listener.getRetry().setInitialBackoff(Duration.ofMillis(200));

        RetryPolicy policy = BusSettings.retryPolicy(List.of(listener, global));

        assertThat(policy).isEqualTo(new RetryPolicy(Duration.ofMillis(200), Duration.ofSeconds(60), 3.0, 0.2));
        assertThat(listener.setsRetry()).isTrue();
        assertThat(new BusSettings().setsRetry()).isFalse();
    }

    /** The defaults an IDE shows come from the metadata file; they must be the ones the library applies. */
    @Test
    void documentedDefaultsAreTheLibraryDefaults() throws Exception {
        Map<String, String> documented = new HashMap<>();
        try (InputStream in = getClass().getResourceAsStream("/META-INF/additional-spring-configuration-metadata.json")) {
            JsonNode root = JsonMapper.builder().build().readTree(in);
            root.get("properties").forEach(p -> {
                if (p.has("defaultValue")) {
                    documented.put(p.get("name").asString(), p.get("defaultValue").asString());
                }
            });
        }
        SubscriptionDefaults standard = SubscriptionDefaults.STANDARD;
        assertThat(Integer.parseInt(documented.get("signal-bus.max-in-flight"))).isEqualTo(standard.maxInFlight());
        assertThat(Integer.parseInt(documented.get("signal-bus.max-attempts"))).isEqualTo(standard.maxAttempts());
        assertThat(duration(documented, "signal-bus.ack-timeout")).isEqualTo(standard.ackTimeout());
        assertThat(StartFrom.parse(documented.get("signal-bus.start-from"))).isEqualTo(standard.startFrom());
        assertThat(new RetryPolicy(duration(documented, "signal-bus.retry.initial-backoff"),
                duration(documented, "signal-bus.retry.max-backoff"),
                Double.parseDouble(documented.get("signal-bus.retry.multiplier")),
                Double.parseDouble(documented.get("signal-bus.retry.jitter")))).isEqualTo(standard.retry());
        assertThat(DataSize.parse(documented.get("signal-bus.max-payload-size")).toBytes())
                .isEqualTo(SignalBusBuilder.DEFAULT_MAX_PAYLOAD_SIZE);
        assertThat(duration(documented, "signal-bus.poll-interval")).isEqualTo(SignalBusBuilder.DEFAULT_POLL_INTERVAL);
        assertThat(Integer.parseInt(documented.get("signal-bus.read-batch-size")))
                .isEqualTo(SignalBusBuilder.DEFAULT_READ_BATCH_SIZE);
        assertThat(duration(documented, "signal-bus.shutdown-timeout"))
                .isEqualTo(SignalBusBuilder.DEFAULT_SHUTDOWN_TIMEOUT);
        assertThat(duration(documented, "signal-bus.claim-lease")).isEqualTo(SignalBusBuilder.DEFAULT_CLAIM_LEASE);
        assertThat(Integer.parseInt(documented.get("signal-bus.checkpoint.flush-count")))
                .isEqualTo(SignalBusBuilder.DEFAULT_CHECKPOINT_FLUSH_COUNT);
        assertThat(duration(documented, "signal-bus.checkpoint.flush-interval"))
                .isEqualTo(SignalBusBuilder.DEFAULT_CHECKPOINT_FLUSH_INTERVAL);
    }

    private static Duration duration(Map<String, String> documented, String name) {
        return DurationStyle.detectAndParse(documented.get(name));
    }
}
