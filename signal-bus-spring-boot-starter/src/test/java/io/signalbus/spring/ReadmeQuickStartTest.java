package io.signalbus.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.signalbus.ReplayOptions;
import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.json.SignalJson;
import io.signalbus.store.SignalStore;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.stereotype.Component;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The README's quick start as written (the classes below are copied from it, {@code static} added), in
 * a Boot application on H2 with Boot's own Jackson: the published {@code order_id} reaches the
 * listener's record, and the signal is acked, not dead-lettered.
 */
class ReadmeQuickStartTest {

    record Order(String id) {
    }

    // ---- from the README

    @Service
    static class Orders {
        private final SignalBus bus;
        Orders(SignalBus bus) { this.bus = bus; }

        @Transactional
        void place(Order order) {
            // ... save the order ...
            bus.publish(Signal.of("order.created", "/orders", Map.of("order_id", order.id())));
        }
    }

    record OrderCreated(@JsonProperty("order_id") String orderId) {}

    @Component
    static class OrderProcessor {
        @SignalListener(value = "order.**", persistent = true, subscriptionId = "order_processor", maxInFlight = 50)
        void on(OrderCreated data, Signal signal) {   // or (Signal), or (OrderCreated)
            // a normal return acks; an exception nacks: retried with backoff, then dead-lettered
        }
    }

    // ----

    @Test
    void theQuickStartPublishesAndItsListenerBindsTheRecordAndAcks() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class,
                        DataSourceAutoConfiguration.class, DataSourceTransactionManagerAutoConfiguration.class,
                        TransactionAutoConfiguration.class, SignalBusAutoConfiguration.class))
                .withPropertyValues("spring.datasource.url=jdbc:h2:mem:readme-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                        "signal-bus.checkpoint.flush-count=1")
                .withUserConfiguration(Orders.class, OrderProcessor.class)
                .run(context -> {
                    context.getBean(Orders.class).place(new Order("order_123"));

                    SignalStore store = context.getBean(SignalStore.class);
                    await().until(() -> store.findSubscription("default", "order_processor").orElseThrow()
                            .checkpoint().position() == 1);
                    SignalBus bus = context.getBean(SignalBus.class);
                    assertThat(bus.deadLetters("order_processor")).isEmpty();
                    Signal stored = bus.replay("order.**", ReplayOptions.fromOrigin()).get(0).signal();
                    assertThat(stored.dataAs(OrderCreated.class, context.getBean(SignalJson.class).mapper()))
                            .isEqualTo(new OrderCreated("order_123"));
                });
    }
}
