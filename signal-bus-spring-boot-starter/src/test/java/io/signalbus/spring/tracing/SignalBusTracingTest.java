package io.signalbus.spring.tracing;

import static io.signalbus.testing.FastAwait.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.SignalHandler;
import io.signalbus.StartFrom;
import io.signalbus.SubscribeOptions;
import io.signalbus.spring.SignalBusAutoConfiguration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.micrometer.observation.autoconfigure.ObservationAutoConfiguration;
import org.springframework.boot.micrometer.tracing.autoconfigure.MicrometerTracingAutoConfiguration;
import org.springframework.boot.micrometer.tracing.brave.autoconfigure.BraveAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class SignalBusTracingTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class,
                    MicrometerTracingAutoConfiguration.class, BraveAutoConfiguration.class,
                    SignalBusAutoConfiguration.class, SignalBusTracingAutoConfiguration.class))
            .withPropertyValues("management.tracing.sampling.probability=1.0");

    /** Captures the trace context the handler runs in. */
    private static SignalHandler capturing(Tracer tracer, AtomicReference<TraceContext> seen) {
        return delivery -> {
            seen.set(tracer.currentSpan() != null ? tracer.currentSpan().context() : null);
            delivery.ack();
        };
    }

    @Test
    void theTraceOfThePublisherTravelsInTraceparentAndTheHandlerRunsInAChildObservation() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(TraceContextPublishInterceptor.class);
            assertThat(context).hasSingleBean(ObservingHandlerDecorator.class);
            Tracer tracer = context.getBean(Tracer.class);
            SignalBus bus = context.getBean(SignalBus.class);
            var persistent = new AtomicReference<TraceContext>();
            var transientSeen = new AtomicReference<TraceContext>();
            bus.subscribe("order.**", SubscribeOptions.persistent("traced").startFrom(StartFrom.origin()),
                    capturing(tracer, persistent));
            bus.subscribe("order.**", capturing(tracer, transientSeen));

            var publisher = new AtomicReference<TraceContext>();
            var recorded = new AtomicReference<List<RecordedSignal>>();
            Observation.createNotStarted("checkout", context.getBean(ObservationRegistry.class)).observe(() -> {
                publisher.set(tracer.currentSpan().context());
                recorded.set(bus.publish(Signal.of("order.created", "test", null)));
            });

            String traceId = publisher.get().traceId();
            assertThat(recorded.get().get(0).signal().extensions().get("traceparent"))
                    .isEqualTo("00-" + traceId + "-" + publisher.get().spanId() + "-01");
            await().until(() -> persistent.get() != null);
            for (TraceContext handling : List.of(persistent.get(), transientSeen.get())) {
                assertThat(handling.traceId()).isEqualTo(traceId);
                assertThat(handling.parentId()).isEqualTo(publisher.get().spanId());
                assertThat(handling.spanId()).isNotEqualTo(publisher.get().spanId());
            }
        });
    }

    @Test
    void withoutACurrentSpanNothingIsAddedAndTheHandlerStartsATrace() {
        runner.run(context -> {
            Tracer tracer = context.getBean(Tracer.class);
            SignalBus bus = context.getBean(SignalBus.class);
            var seen = new AtomicReference<TraceContext>();
            bus.subscribe("order.**", SubscribeOptions.persistent("untraced").startFrom(StartFrom.origin()),
                    capturing(tracer, seen));

            List<RecordedSignal> recorded = bus.publish(Signal.of("order.created", "test", null));

            assertThat(recorded.get(0).signal().extensions()).doesNotContainKey("traceparent");
            await().until(() -> seen.get() != null);
            assertThat(seen.get().parentId()).isNull();
        });
    }

    @Test
    void aTraceparentTheSignalAlreadyCarriesIsKept() {
        runner.run(context -> {
            SignalBus bus = context.getBean(SignalBus.class);
            String given = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
            var recorded = new AtomicReference<List<RecordedSignal>>();
            Observation.createNotStarted("checkout", context.getBean(ObservationRegistry.class)).observe(() ->
                    recorded.set(bus.publish(Signal.builder("order.created").source("test")
                            .extension("traceparent", given).build())));

            assertThat(recorded.get().get(0).signal().extensions()).containsEntry("traceparent", given);
        });
    }

    @Test
    void aFailingHandlerIsStillNackedThroughTheObservation() {
        runner.run(context -> {
            SignalBus bus = context.getBean(SignalBus.class);
            bus.subscribe("order.**", SubscribeOptions.persistent("failing").maxAttempts(1), delivery -> {
                throw new IllegalStateException("boom");
            });

            bus.publish(Signal.of("order.created", "test", null));

            await().until(() -> bus.deadLetters("failing").size() == 1);
            assertThat(bus.deadLetters("failing").get(0).errorMessage()).isEqualTo("boom");
        });
    }

    @Test
    void withObservationsButNoTracerOnlyTheDecoratorIsAdded() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ObservationAutoConfiguration.class,
                        SignalBusAutoConfiguration.class, SignalBusTracingAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader("io.micrometer.tracing"))
                .run(context -> {
                    assertThat(context).hasSingleBean(ObservingHandlerDecorator.class);
                    assertThat(context).doesNotHaveBean(TraceContextPublishInterceptor.class);
                    SignalBus bus = context.getBean(SignalBus.class);
                    var handled = new AtomicReference<Boolean>();
                    bus.subscribe("order.**", SubscribeOptions.persistent("plain"), delivery -> {
                        handled.set(true);
                        delivery.ack();
                    });
                    bus.publish(Signal.of("order.created", "test", null));
                    await().until(() -> handled.get() != null);
                });
    }

    @Test
    void withoutAnObservationRegistryNothingIsAdded() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(SignalBusAutoConfiguration.class,
                        SignalBusTracingAutoConfiguration.class))
                .run(context -> {
                    assertThat(context).doesNotHaveBean(ObservingHandlerDecorator.class);
                    assertThat(context).doesNotHaveBean(TraceContextPublishInterceptor.class);
                });
    }
}
