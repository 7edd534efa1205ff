package io.signalbus.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.SubscriptionState;
import io.signalbus.store.InMemorySignalStore;
import io.signalbus.store.SignalStore;
import io.signalbus.store.SubscriptionRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** {@code ${…}} and {@code #{…}} in {@link SignalListener} attributes, {@code autoStartup}, and {@link SignalListenerRegistry}. */
class SignalListenerRegistryTest {

    private static final List<String> SEEN = new CopyOnWriteArrayList<>();
    private InMemorySignalStore store;
    private ApplicationContextRunner runner;

    @BeforeEach
    void setUp() {
        SEEN.clear();
        store = new InMemorySignalStore();
        runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SignalBusAutoConfiguration.class))
                .withBean(SignalStore.class, () -> store)
                .withPropertyValues("signal-bus.poll-interval=20ms", "signal-bus.checkpoint.flush-count=1",
                        "signal-bus.buses.audit.max-attempts=3");
    }

    private SubscriptionRecord stored(String bus, String id) {
        return store.findSubscription(bus, id).orElseThrow();
    }

    private static SignalBus bus(org.springframework.context.ApplicationContext context, String name) {
        return context.getBean(SignalBuses.class).get(name);
    }

    /** Named patterns, for SpEL. */
    public static class Patterns {
        public String audit() {
            return "audit.**";
        }
    }

    @Configuration
    static class ResolvedListeners {

        @Bean
        Patterns patterns() {
            return new Patterns();
        }

        @Bean
        ResolvedListener resolvedListener() {
            return new ResolvedListener();
        }
    }

    static class ResolvedListener {

        @SignalListener(value = "${app.pattern}", bus = "${app.bus:audit}", persistent = true,
                subscriptionId = "${app.id}", startFrom = "${app.start-from}", ackTimeout = "${app.ack-timeout}",
                initialBackoff = "${app.backoff}", maxBackoff = "#{'${app.backoff}'.replace('2', '9')}")
        void placeholders(Signal signal) {
            SEEN.add("placeholders:" + signal.type());
        }

        @SignalListener(value = "#{@patterns.audit()}", bus = "audit", persistent = true,
                subscriptionId = "#{'spel_' + '${app.id}'}", startFrom = "#{'ori' + 'gin'}")
        void spel(Signal signal) {
            SEEN.add("spel:" + signal.type());
        }
    }

    @Test
    void placeholdersAndSpelInStringAttributesAreResolved() {
        store.append("audit", List.of(Signal.of("audit.login", "test", null)), Instant.now());
        runner.withUserConfiguration(ResolvedListeners.class)
                .withPropertyValues("app.pattern=audit.*", "app.id=auditor", "app.start-from=origin",
                        "app.ack-timeout=7s", "app.backoff=2s")
                .run(context -> {
                    await().until(() -> SEEN.size() == 2);
                    assertThat(SEEN).containsExactlyInAnyOrder("placeholders:audit.login", "spel:audit.login");

                    SubscriptionRecord placeholders = stored("audit", "auditor");
                    assertThat(placeholders.pattern()).isEqualTo("audit.*");
                    assertThat(placeholders.ackTimeout()).isEqualTo(Duration.ofSeconds(7));
                    assertThat(placeholders.maxAttempts()).as("the bus's setting").isEqualTo(3);
                    assertThat(stored("audit", "spel_auditor").pattern()).isEqualTo("audit.**");

                    var registrar = context.getBean(SignalListenerRegistrar.class);
                    var endpoint = registrar.endpoints().stream()
                            .filter(e -> e.id().equals("resolvedListener.placeholders")).findFirst().orElseThrow();
                    assertThat(endpoint.options().retry().initial()).isEqualTo(Duration.ofSeconds(2));
                    assertThat(endpoint.options().retry().max()).isEqualTo(Duration.ofSeconds(9));
                });
    }

    @Test
    void anUnresolvablePlaceholderFailsTheStartupNamingBeanAndMethod() {
        runner.withUserConfiguration(ResolvedListeners.class).withPropertyValues("app.id=x").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasMessageContaining("invalid @SignalListener on resolvedListener.")
                    .rootCause().hasMessageContaining("app.");
        });
    }

    static class OnDemandListener {

        @SignalListener(value = "order.*", persistent = true, subscriptionId = "on_demand",
                autoStartup = "${app.listeners.auto:false}")
        void onDemand(Signal signal) {
            SEEN.add("onDemand:" + signal.subject());
        }

        @SignalListener("order.*")
        void live(Signal signal) {
            SEEN.add("live:" + signal.subject());
        }
    }

    private static Signal order(String subject) {
        return Signal.builder("order.created").source("test").subject(subject).build();
    }

    @Test
    void aListenerWithoutAutoStartupWaitsForTheRegistryAndTheRegistryStopsAndStartsListeners() {
        runner.withBean("onDemandListener", OnDemandListener.class).run(context -> {
            SignalListenerRegistry registry = context.getBean(SignalListenerRegistry.class);
            SignalBus bus = context.getBean(SignalBus.class);
            assertThat(registry.listeners()).containsExactlyInAnyOrder(
                    new SignalListenerRegistry.Listener("onDemandListener.onDemand", "default", "order.*", "on_demand",
                            false, false),
                    new SignalListenerRegistry.Listener("onDemandListener.live", "default", "order.*", null, true, true));
            assertThat(store.findSubscription("default", "on_demand")).as("not subscribed yet").isEmpty();

            registry.start("onDemandListener.onDemand");
            bus.publish(order("1"));
            await().until(() -> SEEN.containsAll(List.of("onDemand:1", "live:1")));
            await().until(() -> stored("default", "on_demand").checkpoint().position() == 1);

            registry.stop("onDemandListener.onDemand");
            registry.stop("onDemandListener.live");
            assertThat(registry.listeners()).noneMatch(SignalListenerRegistry.Listener::running);
            assertThat(bus.status().subscriptions()).singleElement()
                    .satisfies(s -> assertThat(s.state()).isEqualTo(SubscriptionState.DISCONNECTED));
            bus.publish(order("2"));

            registry.start("onDemandListener.onDemand");
            registry.start("onDemandListener.onDemand"); // already running: nothing happens
            await().until(() -> SEEN.contains("onDemand:2"));
            assertThat(SEEN).as("resumed from its checkpoint; the transient listener missed signal 2")
                    .containsExactlyInAnyOrder("onDemand:1", "live:1", "onDemand:2");

            assertThatThrownBy(() -> registry.stop("nope")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("no @SignalListener with id 'nope'").hasMessageContaining("onDemandListener.live");
        });
    }

    @Test
    void autoStartupTakesPlaceholders() {
        runner.withBean("onDemandListener", OnDemandListener.class).withPropertyValues("app.listeners.auto=true")
                .run(context -> assertThat(context.getBean(SignalListenerRegistry.class).listeners())
                        .allMatch(SignalListenerRegistry.Listener::running));
        runner.withBean("onDemandListener", OnDemandListener.class).withPropertyValues("app.listeners.auto=sometimes")
                .run(context -> assertThat(context.getStartupFailure())
                        .hasMessageContaining("autoStartup must be true or false, was 'sometimes'"));
    }
}
