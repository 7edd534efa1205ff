package io.signalbus.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.signalbus.DataConversionException;
import io.signalbus.DeadLetter;
import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.store.InMemorySignalStore;
import io.signalbus.store.SignalStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.stereotype.Component;

class SignalListenerTest {

    /** Shared across contexts so a "restart" finds the same log and checkpoints. */
    private InMemorySignalStore store;
    private ApplicationContextRunner runner;

    record OrderCreated(String orderId, int amount) {
    }

    @BeforeEach
    void setUp() {
        store = new InMemorySignalStore();
        Recorder.SEEN.clear();
        runner = new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SignalBusAutoConfiguration.class))
                .withBean(SignalStore.class, () -> store)
                .withPropertyValues("signal-bus.poll-interval=20ms", "signal-bus.retry.initial-backoff=10ms",
                        "signal-bus.retry.jitter=0", "signal-bus.max-attempts=2", "signal-bus.checkpoint.flush-count=1");
    }

    private static Signal order(String id, int amount) {
        return Signal.of("order.created", "test", Map.of("orderId", id, "amount", amount));
    }

    /** Records what listeners saw. */
    static final class Recorder {
        static final List<Object> SEEN = new CopyOnWriteArrayList<>();
    }

    @Component
    static class OrderListener {

        @SignalListener(value = "order.**", persistent = true, subscriptionId = "order_processor", maxInFlight = 50)
        void on(OrderCreated data, Signal signal) {
            if (data.amount() < 0) {
                throw new IllegalArgumentException("negative amount " + data.amount());
            }
            Recorder.SEEN.add(data.orderId() + "@" + signal.type());
        }
    }

    @Test
    void aPersistentListenerGetsTheConvertedPayloadAndItsReturnAcks() {
        runner.withUserConfiguration(OrderListener.class).run(context -> {
            SignalBus bus = context.getBean(SignalBus.class);
            bus.publish(order("o-1", 10), order("o-2", 20));

            await().until(() -> Recorder.SEEN.size() == 2);
            assertThat(Recorder.SEEN).containsExactly("o-1@order.created", "o-2@order.created");
            await().until(() -> store.findSubscription("default", "order_processor").orElseThrow().checkpoint()
                    .position() == 2);
            assertThat(store.findSubscription("default", "order_processor").orElseThrow().maxInFlight()).isEqualTo(50);
        });
    }

    @Test
    void aThrowingListenerIsRetriedAndThenDeadLettered() {
        runner.withUserConfiguration(OrderListener.class).run(context -> {
            SignalBus bus = context.getBean(SignalBus.class);
            bus.publish(order("bad", -1), order("good", 1));

            await().until(() -> bus.deadLetters("order_processor").size() == 1);
            DeadLetter deadLetter = bus.deadLetters("order_processor").get(0);
            assertThat(deadLetter.attempts()).isEqualTo(2);
            assertThat(deadLetter.errorType()).isEqualTo(IllegalArgumentException.class.getName());
            assertThat(deadLetter.errorMessage()).isEqualTo("negative amount -1");
            assertThat(Recorder.SEEN).containsExactly("good@order.created");
        });
    }

    @Test
    void dataThatCannotBeConvertedIsDeadLetteredAtOnceWithTheConversionError() {
        runner.withUserConfiguration(OrderListener.class).run(context -> {
            SignalBus bus = context.getBean(SignalBus.class);
            bus.publish(Signal.of("order.created", "test", Map.of("orderId", "x", "amount", "not a number")));

            await().until(() -> bus.deadLetters("order_processor").size() == 1);
            DeadLetter deadLetter = bus.deadLetters("order_processor").get(0);
            assertThat(deadLetter.attempts()).isEqualTo(1);
            assertThat(deadLetter.errorType()).isEqualTo(DataConversionException.class.getName());
            assertThat(deadLetter.errorMessage()).contains(OrderCreated.class.getName());
            assertThat(Recorder.SEEN).isEmpty();
        });
    }

    @Test
    void aRestartedApplicationResumesFromTheCheckpoint() {
        runner.withUserConfiguration(OrderListener.class).run(context -> {
            context.getBean(SignalBus.class).publish(order("o-1", 1));
            await().until(() -> Recorder.SEEN.size() == 1);
        });
        store.append("default", List.of(order("o-2", 2)), java.time.Instant.now());

        runner.withUserConfiguration(OrderListener.class).run(context -> {
            await().until(() -> Recorder.SEEN.size() == 2);
            assertThat(Recorder.SEEN).containsExactly("o-1@order.created", "o-2@order.created");
        });
    }

    @Component("auditTrail")
    static class DefaultIdListener {

        @SignalListener(value = "audit.**", persistent = true, startFrom = "origin")
        void record(Signal signal) {
            Recorder.SEEN.add(signal.type());
        }
    }

    @Test
    void theDefaultSubscriptionIdIsBeanNameDotMethodAndStartFromIsHonoured() {
        store.append("default", List.of(Signal.of("audit", "test", null)), java.time.Instant.now());

        runner.withBean("auditTrail", DefaultIdListener.class).run(context -> {
            await().until(() -> Recorder.SEEN.size() == 1);
            assertThat(Recorder.SEEN).containsExactly("audit");
            assertThat(store.findSubscription("default", "auditTrail.record")).isPresent();
        });
    }

    @Component
    static class TransientListener {

        @SignalListener(value = "user.*.created", priority = 10)
        void first(Signal signal) {
            Recorder.SEEN.add("first:" + signal.type());
        }

        @SignalListener("user.*.created")
        void second(Map<String, Object> data) {
            Recorder.SEEN.add("second:" + data.get("name"));
        }
    }

    @Test
    void transientListenersAreCalledInPriorityOrderAfterPublish() {
        runner.withUserConfiguration(TransientListener.class).run(context -> {
            context.getBean(SignalBus.class).publish(Signal.of("user.42.created", "test", Map.of("name", "ada")));

            assertThat(Recorder.SEEN).containsExactly("first:user.42.created", "second:ada");
        });
    }

    @Component
    static class AuditListener {

        @SignalListener(value = "audit..all", bus = "audit")
        void on(Signal signal) {
        }
    }

    @Test
    void anInvalidPatternFailsTheStartupNamingBeanAndMethod() {
        runner.withBean("auditListener", AuditListener.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasMessageContaining("auditListener.on")
                    .hasMessageContaining("'audit..all'").hasMessageContaining("segment 2 is empty");
        });
    }

    @Component
    static class UnknownBusListener {

        @SignalListener(value = "a.b", bus = "nowhere")
        void on(Signal signal) {
        }
    }

    @Test
    void anUnknownBusFailsTheStartupNamingTheBus() {
        runner.withBean("unknownBusListener", UnknownBusListener.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("'nowhere'");
            assertThat(context.getStartupFailure()).hasStackTraceContaining("unknownBusListener.on");
        });
    }

    @Component
    static class ClashingListeners {

        @SignalListener(value = "a.b", persistent = true, subscriptionId = "shared")
        void one(Signal signal) {
        }

        @SignalListener(value = "c.d", persistent = true, subscriptionId = "shared")
        void two(Signal signal) {
        }
    }

    @Test
    void twoListenersClaimingOneSubscriptionIdFailTheStartup() {
        runner.withBean("clash", ClashingListeners.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("'shared'")
                    .hasMessageContaining("clash.one").hasMessageContaining("clash.two");
        });
    }

    @Test
    void aStoredSubscriptionWithAnotherPatternFailsTheStartup() {
        runner.withUserConfiguration(OrderListener.class).run(context -> assertThat(context).hasNotFailed());
        runner.withBean("renamed", RepatternedListener.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasStackTraceContaining("renamed.on")
                    .hasStackTraceContaining("'order.**'");
        });
    }

    @Component
    static class RepatternedListener {

        @SignalListener(value = "order.created", persistent = true, subscriptionId = "order_processor")
        void on(Signal signal) {
        }
    }

    @Component
    static class TwoPayloads {

        @SignalListener("a.b")
        void on(OrderCreated one, Map<String, Object> two) {
        }
    }

    @Test
    void aMethodWithTwoPayloadParametersFailsTheStartup() {
        runner.withBean("twoPayloads", TwoPayloads.class).run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).hasMessageContaining("twoPayloads.on")
                    .hasMessageContaining("second payload");
        });
    }

    @Test
    void defaultSubscriptionIdsReplaceCharactersIdsDoNotAllow() {
        assertThat(SignalListenerRegistrar.defaultSubscriptionId("my bean$1", "on")).isEqualTo("my_bean_1.on");
    }
}
