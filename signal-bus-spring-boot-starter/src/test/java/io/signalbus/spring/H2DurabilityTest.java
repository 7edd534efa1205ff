package io.signalbus.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.StartFrom;
import io.signalbus.SubscribeOptions;
import io.signalbus.SubscriptionState;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/** An in-memory H2 database as the durable store warns; an H2 file survives a restart with its claims released. */
@ExtendWith(OutputCaptureExtension.class)
class H2DurabilityTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, SignalBusAutoConfiguration.class))
            .withPropertyValues("signal-bus.poll-interval=50ms", "spring.datasource.username=sa");

    @Test
    void anInMemoryH2DatabaseAsTheDurableStoreLogsAWarning(CapturedOutput output) {
        runner.withPropertyValues("spring.datasource.url=jdbc:h2:mem:volatile-" + UUID.randomUUID())
                .run(context -> assertThat(context).hasNotFailed());
        assertThat(output).contains("WARN").contains("in-memory database")
                .contains("signals and checkpoints are lost when the JVM exits");
    }

    @Test
    void anH2FileDatabaseDoesNotWarn(CapturedOutput output) {
        runner.withPropertyValues("spring.datasource.url=jdbc:h2:file:./target/h2-durability/quiet-" + UUID.randomUUID())
                .run(context -> assertThat(context).hasNotFailed());
        assertThat(output).doesNotContain("in-memory database");
    }

    @ParameterizedTest
    @ValueSource(strings = { "", ";DB_CLOSE_ON_EXIT=FALSE" })
    void aRestartOnTheSameH2FileHandlesSignalsAtOnce(String options, CapturedOutput output) {
        String url = "jdbc:h2:file:./target/h2-durability/restart-" + UUID.randomUUID() + options;
        List<String> seen = new CopyOnWriteArrayList<>();
        for (int run = 1; run <= 2; run++) {
            String subject = "run-" + run;
            runner.withPropertyValues("spring.datasource.url=" + url).run(context -> {
                SignalBus bus = context.getBean(SignalBus.class);
                bus.subscribe("order.*", SubscribeOptions.persistent("orders").startFrom(StartFrom.current()),
                        delivery -> {
                            seen.add(delivery.signal().subject());
                            delivery.ack();
                        });
                bus.publish(Signal.builder("order.created").source("test").subject(subject).build());
                await().atMost(Duration.ofSeconds(2)).until(() -> seen.contains(subject));
                assertThat(bus.status().subscriptions().get(0).state()).isEqualTo(SubscriptionState.ACTIVE);
            });
        }
        assertThat(seen).containsExactly("run-1", "run-2");
        assertThat(output).doesNotContain("could not release").doesNotContain("already closed");
    }

    @Test
    void embeddedH2FileUrlsCloseWithTheContextOthersAreLeftAlone() {
        assertThat(H2CloseOnExitEnvironmentPostProcessor.closingWithTheContext("jdbc:h2:file:./data/app"))
                .isEqualTo("jdbc:h2:file:./data/app;DB_CLOSE_ON_EXIT=FALSE");
        assertThat(H2CloseOnExitEnvironmentPostProcessor.closingWithTheContext("jdbc:h2:~/app;MODE=PostgreSQL"))
                .isEqualTo("jdbc:h2:~/app;MODE=PostgreSQL;DB_CLOSE_ON_EXIT=FALSE");
        for (String alone : List.of("jdbc:h2:file:./app;db_close_on_exit=true", "jdbc:h2:mem:x",
                "jdbc:h2:tcp://db/app", "jdbc:postgresql://db/app")) {
            assertThat(H2CloseOnExitEnvironmentPostProcessor.closingWithTheContext(alone)).as(alone).isNull();
        }
    }

    @Test
    void thePostProcessorChangesTheUrlOnlyWhenSignalBusUsesIt() {
        var processor = new H2CloseOnExitEnvironmentPostProcessor(
                (org.springframework.boot.logging.DeferredLogFactory) java.util.function.Supplier::get);
        var environment = new org.springframework.mock.env.MockEnvironment()
                .withProperty("spring.datasource.url", "jdbc:h2:file:./data/app");
        processor.postProcessEnvironment(environment, new org.springframework.boot.SpringApplication());
        assertThat(environment.getProperty("spring.datasource.url")).endsWith(";DB_CLOSE_ON_EXIT=FALSE");

        var memoryStore = new org.springframework.mock.env.MockEnvironment()
                .withProperty("spring.datasource.url", "jdbc:h2:file:./data/app").withProperty("signal-bus.store", "memory");
        processor.postProcessEnvironment(memoryStore, new org.springframework.boot.SpringApplication());
        assertThat(memoryStore.getProperty("spring.datasource.url")).isEqualTo("jdbc:h2:file:./data/app");
    }
}
