package io.signalbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class PublishDecoratorTest {

    private final List<String> calls = new CopyOnWriteArrayList<>();

    private PublishDecorator named(String name) {
        return (busName, signals, publish) -> {
            calls.add(name + " before " + busName + " " + signals.size());
            try {
                return publish.get();
            } finally {
                calls.add(name + " after");
            }
        };
    }

    @Test
    void decoratorsRunAroundTheWholePublishInTheOrderAddedAndInterceptorsRunInside() {
        try (SignalBus bus = SignalBus.builder().name("orders").publishDecorator(named("outer"))
                .publishDecorator(named("inner")).interceptor((busName, signal) -> {
                    calls.add("interceptor");
                    return signal;
                }).build()) {
            List<RecordedSignal> recorded = bus.publish(Signal.of("order.created", "test", null),
                    Signal.of("order.created", "test", null));

            assertThat(recorded).hasSize(2);
            assertThat(calls).containsExactly("outer before orders 2", "inner before orders 2", "interceptor",
                    "interceptor", "inner after", "outer after");
        }
    }

    @Test
    void aFailingPublishReachesTheDecoratorsAndTheCaller() {
        try (SignalBus bus = SignalBus.builder().publishDecorator(named("d")).interceptor((busName, signal) -> {
            throw new PublishRejectedException("vetoed by the test");
        }).build()) {
            assertThatThrownBy(() -> bus.publish(Signal.of("order.created", "test", null)))
                    .isInstanceOf(PublishRejectedException.class);
            assertThat(calls).containsExactly("d before default 1", "d after");
            assertThat(bus.publish(List.of())).as("an empty publish calls no decorator").isEmpty();
            assertThat(calls).hasSize(2);
        }
    }
}
