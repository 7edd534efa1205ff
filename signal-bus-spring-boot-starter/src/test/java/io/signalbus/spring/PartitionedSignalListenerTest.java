package io.signalbus.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.store.InMemorySignalStore;
import io.signalbus.store.SignalStore;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.stereotype.Component;

/** {@code @SignalListener(partitions = …, partitionKey = …)}, placeholders resolved. */
class PartitionedSignalListenerTest {

    private final InMemorySignalStore store = new InMemorySignalStore();
    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SignalBusAutoConfiguration.class))
            .withBean(SignalStore.class, () -> store)
            .withPropertyValues("signal-bus.poll-interval=20ms", "signal-bus.checkpoint.flush-count=1",
                    "orders.partitions=4");

    static final List<String> SEEN = new CopyOnWriteArrayList<>();

    @Component
    static class TenantListener {

        @SignalListener(value = "order.**", persistent = true, subscriptionId = "tenant_orders",
                partitions = "${orders.partitions}", partitionKey = "tenant", startFrom = "origin")
        void on(Signal signal) {
            SEEN.add(signal.id());
        }
    }

    @Component
    static class BadCountListener {

        @SignalListener(value = "order.**", persistent = true, partitions = "many")
        void on(Signal signal) {
        }
    }

    @Component
    static class TransientPartitionedListener {

        @SignalListener(value = "order.**", partitions = "4")
        void on(Signal signal) {
        }
    }

    @Test
    void partitionsOnATransientListenerFailTheStartup() {
        runner.withBean("transientSplit", TransientPartitionedListener.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause()
                    .hasMessageContaining("only a persistent subscription can be partitioned");
        });
    }

    @Test
    void partitionsAttributeTakesAPlaceholderAndStoresOnePartitionRecordEach() {
        runner.withUserConfiguration(TenantListener.class).run(context -> {
            SignalBus bus = context.getBean(SignalBus.class);
            bus.publish(Signal.builder("order.created").source("/t").extension("tenant", "acme").build());

            await().until(() -> SEEN.size() == 1);
            assertThat(store.subscriptions("default")).extracting(r -> r.subscriptionId()).containsExactly(
                    "tenant_orders", "tenant_orders/0", "tenant_orders/1", "tenant_orders/2", "tenant_orders/3");
            assertThat(store.findSubscription("default", "tenant_orders").orElseThrow().partitions()).isEqualTo(4);
        });
    }

    @Test
    void partitionsThatIsNotANumberFailsTheStartupNamingTheValue() {
        runner.withBean("badCount", BadCountListener.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("'many'");
        });
    }
}
