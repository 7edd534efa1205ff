package io.signalbus.spring.tracing;

import static io.signalbus.testing.FastAwait.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import brave.handler.MutableSpan;
import brave.handler.SpanHandler;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.signalbus.spring.metrics.SignalBusMetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration;
import org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration;
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

    /** The spans Brave finished. */
    private final List<MutableSpan> spans = new CopyOnWriteArrayList<>();

    private final SpanHandler recorder = new SpanHandler() {
        @Override
        public boolean end(brave.propagation.TraceContext context, MutableSpan span, Cause cause) {
            spans.add(span);
            return true;
        }
    };

    @Test
    void publishRunsInAProducerSpanThatTravelsInTraceparentAndTheHandlerRunsInAChildObservation() {
        runner.withBean(SpanHandler.class, () -> recorder).run(context -> {
            assertThat(context).hasSingleBean(TraceContextPublishInterceptor.class);
            assertThat(context).hasSingleBean(ObservingPublishDecorator.class);
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
            MutableSpan publish = spans.stream().filter(span -> "default publish".equals(span.name())).findFirst()
                    .orElseThrow();
            assertThat(publish.kind()).isEqualTo(brave.Span.Kind.PRODUCER);
            assertThat(publish.traceId()).isEqualTo(traceId);
            assertThat(publish.parentId()).as("the publish span is a child of the caller's")
                    .isEqualTo(publisher.get().spanId());
            assertThat(publish.tags()).containsEntry("bus", "default").containsEntry("signalbus.signal.count", "1");
            assertThat(recorded.get().get(0).signal().extensions().get("traceparent"))
                    .as("the signal carries the publish span").isEqualTo("00-" + traceId + "-" + publish.id() + "-01");
            await().until(() -> persistent.get() != null && transientSeen.get() != null);
            for (TraceContext handling : List.of(persistent.get(), transientSeen.get())) {
                assertThat(handling.traceId()).isEqualTo(traceId);
                assertThat(handling.parentId()).isEqualTo(publish.id());
            }
        });
    }

    @Test
    void withoutACurrentSpanThePublishSpanStartsTheTrace() {
        runner.withBean(SpanHandler.class, () -> recorder).run(context -> {
            Tracer tracer = context.getBean(Tracer.class);
            SignalBus bus = context.getBean(SignalBus.class);
            var seen = new AtomicReference<TraceContext>();
            bus.subscribe("order.**", SubscribeOptions.persistent("untraced").startFrom(StartFrom.origin()),
                    capturing(tracer, seen));

            List<RecordedSignal> recorded = bus.publish(Signal.of("order.created", "test", null));

            MutableSpan publish = spans.stream().filter(span -> "default publish".equals(span.name())).findFirst()
                    .orElseThrow();
            assertThat(publish.parentId()).isNull();
            assertThat(recorded.get(0).signal().extensions().get("traceparent")).asString().contains(publish.id());
            await().until(() -> seen.get() != null);
            assertThat(seen.get().parentId()).isEqualTo(publish.id());
        });
    }

    @Test
    void withoutAnyObservationNothingIsAddedToTheSignal() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(SignalBusAutoConfiguration.class,
                SignalBusTracingAutoConfiguration.class)).run(context -> assertThat(context.getBean(SignalBus.class)
                        .publish(Signal.of("order.created", "test", null)).get(0).signal().extensions())
                        .doesNotContainKey("traceparent"));
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

    @Test
    void handlingAndPublishingAreTimedOnceByTheirObservationsWithDescriptions() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(MetricsAutoConfiguration.class,
                        SimpleMetricsExportAutoConfiguration.class, CompositeMeterRegistryAutoConfiguration.class,
                        ObservationAutoConfiguration.class, SignalBusAutoConfiguration.class,
                        SignalBusMetricsAutoConfiguration.class, SignalBusTracingAutoConfiguration.class))
                .withClassLoader(new FilteredClassLoader("io.micrometer.tracing"))
                .run(context -> {
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    SignalBus bus = context.getBean(SignalBus.class);
                    bus.subscribe("order.**", SubscribeOptions.persistent("timed"), delivery -> delivery.ack());
                    bus.publish(Signal.of("order.created", "test", null));

                    await().until(() -> registry.find("signalbus.handle").tag("subscription", "timed").timer() != null
                            && registry.get("signalbus.handle").tag("subscription", "timed").timer().count() == 1);
                    Timer handle = registry.get("signalbus.handle").tags("bus", "default", "error", "none").timer();
                    assertThat(handle.getId().getDescription()).contains("handler");
                    Timer publish = registry.get("signalbus.publish").tags("bus", "default", "error", "none").timer();
                    assertThat(publish.count()).isEqualTo(1);
                    assertThat(publish.getId().getDescription()).contains("publish call");
                    assertThat(registry.find("signalbus.handler.duration").meters()).as("timed once").isEmpty();
                });
    }
}
