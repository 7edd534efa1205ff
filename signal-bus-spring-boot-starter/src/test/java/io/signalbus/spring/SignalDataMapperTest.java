package io.signalbus.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.signalbus.DataConversionException;
import io.signalbus.DeadLetter;
import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.json.SignalJson;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * One mapper for signal data both ways: the application's {@code JsonMapper} writes data to the log and
 * converts it for listeners, live and when redelivered from the log after a restart; data that does not
 * bind is dead-lettered with the reason, never acked with nulls.
 */
class SignalDataMapperTest {

    record OrderPlaced(String orderId, int quantity) {
    }

    static final List<OrderPlaced> SEEN = new CopyOnWriteArrayList<>();

    @Component
    static class LiveListener {
        @SignalListener(value = "order.placed", persistent = true, subscriptionId = "live")
        void on(OrderPlaced order) {
            SEEN.add(order);
        }
    }

    /** Subscribes after the restart and reads the whole log, so every delivery is a read of stored data. */
    @Component
    static class LogReader {
        @SignalListener(value = "order.placed", persistent = true, subscriptionId = "from_log", startFrom = "origin")
        void on(OrderPlaced order) {
            SEEN.add(order);
        }
    }

    private ApplicationContextRunner runner;

    @BeforeEach
    void setUp() {
        SEEN.clear();
        runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class,
                        DataSourceAutoConfiguration.class, SignalBusAutoConfiguration.class))
                .withPropertyValues("spring.datasource.url=jdbc:h2:mem:mapper-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                        "signal-bus.poll-interval=20ms", "signal-bus.checkpoint.flush-count=1");
    }

    @Test
    void underSnakeCaseARecordArrivesWholeLiveAndWhenReadFromTheLogAfterARestart() {
        ApplicationContextRunner snakeCase = runner
                .withPropertyValues("spring.jackson.property-naming-strategy=SNAKE_CASE");
        snakeCase.withUserConfiguration(LiveListener.class).run(context -> {
            assertThat(context.getBean(SignalJson.class).mapper()).isNotSameAs(SignalJson.defaultMapper());
            context.getBean(SignalBus.class).publish(Signal.of("order.placed", "/orders", new OrderPlaced("o-1", 2)));
            await().until(() -> SEEN.size() == 1);
            String stored = new JdbcTemplate(context.getBean(DataSource.class))
                    .queryForObject("SELECT envelope FROM signal_bus_log", String.class);
            assertThat(stored).contains("\"data\":{\"order_id\":\"o-1\",\"quantity\":2}");
        });

        snakeCase.withUserConfiguration(LogReader.class).run(context -> {
            await().until(() -> SEEN.size() == 2);
            assertThat(context.getBean(SignalBus.class).deadLetters("from_log")).isEmpty();
        });
        assertThat(SEEN).containsExactly(new OrderPlaced("o-1", 2), new OrderPlaced("o-1", 2));
    }

    @Test
    void aRecordComponentAbsentFromTheDataIsDeadLetteredAtOnceNamingTheSignalTypeAndProperty() {
        runner.withUserConfiguration(LiveListener.class).run(context -> {
            SignalBus bus = context.getBean(SignalBus.class);
            Signal signal = Signal.of("order.placed", "/orders", Map.of("order_id", "o-1", "quantity", 2));
            bus.publish(signal);

            await().until(() -> bus.deadLetters("live").size() == 1);
            DeadLetter deadLetter = bus.deadLetters("live").get(0);
            assertThat(deadLetter.attempts()).isEqualTo(1);
            assertThat(deadLetter.errorType()).isEqualTo(DataConversionException.class.getName());
            assertThat(deadLetter.errorMessage())
                    .contains("signal " + signal.id() + " (type 'order.placed')")
                    .contains(OrderPlaced.class.getName())
                    .contains("'orderId'");
            assertThat(SEEN).isEmpty();
        });
    }

    @Test
    void unknownPropertiesAreDeadLetteredWhenTheApplicationAsksForStrictness() {
        runner.withPropertyValues("spring.jackson.deserialization.fail-on-unknown-properties=true")
                .withUserConfiguration(LiveListener.class).run(context -> {
                    SignalBus bus = context.getBean(SignalBus.class);
                    bus.publish(Signal.of("order.placed", "/orders",
                            Map.of("orderId", "o-1", "quantity", 2, "coupon", "X")));

                    await().until(() -> bus.deadLetters("live").size() == 1);
                    assertThat(bus.deadLetters("live").get(0).errorMessage()).contains("\"coupon\"");
                    assertThat(SEEN).isEmpty();
                });
    }

    @Test
    void withoutAnApplicationMapperTheCodecUsesTheDefault() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SignalBusAutoConfiguration.class))
                .run(context -> {
                    assertThat(context).doesNotHaveBean(JsonMapper.class);
                    assertThat(context.getBean(SignalJson.class).mapper()).isSameAs(SignalJson.defaultMapper());
                });
    }
}
