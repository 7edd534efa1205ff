package io.signalbus.spring.actuate;

import static io.signalbus.testing.FastAwait.await;

import io.signalbus.Signal;
import io.signalbus.StartFrom;
import io.signalbus.SubscribeOptions;
import io.signalbus.spring.SignalBuses;
import java.util.List;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;

/**
 * A web application with two buses: on {@code default}, subscriptions that dead-letter every
 * {@code order.poison} signal at its first failure (one per test that changes them), each holding
 * three dead letters when the context is ready.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
class EndpointTestApplication {

    static final List<String> SUBSCRIPTIONS = List.of("order_processor", "redrive_me", "discard_me", "move_me");

    @Bean
    ApplicationRunner subscribeAndPublish(SignalBuses buses) {
        return args -> {
            var bus = buses.get("default");
            for (String id : SUBSCRIPTIONS) {
                bus.subscribe("order.**", SubscribeOptions.persistent(id).maxAttempts(1).startFrom(StartFrom.origin()),
                        delivery -> {
                            if (delivery.signal().type().equals("order.poison")) {
                                throw new IllegalStateException("cannot process " + delivery.signal().id());
                            }
                            delivery.ack();
                        });
            }
            bus.publish(Signal.of("order.created", "test", null), Signal.of("order.poison", "test", null),
                    Signal.of("order.poison", "test", null), Signal.of("order.poison", "test", null));
            // the tests start once every subscription has settled all four signals
            await().until(() -> bus.status().subscriptions().stream()
                    .allMatch(s -> s.deadLetters() == 3 && s.checkpoint().position() == 4));
        };
    }
}
