package io.signalbus.benchmarks;

import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.spring.SignalListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * End to end through Spring Boot: the starter's auto-configuration on the benchmark's DataSource,
 * one {@code @SignalListener(persistent = true)} that returns normally (which acks), and publishers
 * on the {@code SignalBus} bean, or on a {@link Sender} of the caller's (e.g. a {@code @Transactional}
 * service method among the extra configuration classes). Latency is from the send time a signal
 * carries to the listener call.
 */
final class SpringEndToEnd implements AutoCloseable {

    /** The application: auto-configuration plus the listener. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {

        @Bean
        LatencyListener latencyListener() {
            return new LatencyListener();
        }
    }

    /** Records the publish-to-listener latency of each signal it is given. */
    public static class LatencyListener {
        private volatile Round round;

        @SignalListener(value = "order.**", persistent = true, subscriptionId = "end-to-end",
                autoStartup = "${bench.listen:true}")
        public void on(Signal signal) {
            Round current = round;
            if (current != null) {
                current.handled(Payloads.sentNanos(signal));
            }
        }
    }

    /** One measurement: latencies and the count and time of the last handled signal. */
    static final class Round {
        final Latencies latencies;
        final AtomicLong handled = new AtomicLong();
        volatile long lastNanos;

        Round(int capacity) {
            latencies = new Latencies(capacity);
        }

        void handled(long sentNanos) {
            long now = System.nanoTime();
            latencies.record(now - sentNanos);
            handled.incrementAndGet();
            lastNanos = now;
        }
    }

    /**
     * A round's outcome: published count and rate from first publish to last handled signal, the
     * publish-to-listener latencies, and how long {@code publish} took (from the scheduled send time).
     */
    record Result(Load.Result completed, Latencies latencies, Latencies publishCalls) {
    }

    /** Publishes the signals of one call (for a transactional sender, in one transaction). */
    interface Sender {
        void send(List<Signal> signals);
    }

    private final ConfigurableApplicationContext context;
    private final SignalBus bus;
    private final LatencyListener listener;
    private final AtomicLong sequence = new AtomicLong();

    /** The application on {@code dataSource}, with {@code configuration} classes registered as well. */
    SpringEndToEnd(DataSource dataSource, Class<?>... configuration) {
        this(dataSource, List.of(), configuration);
    }

    /**
     * The application on {@code dataSource} with extra {@code properties} ({@code bench.listen=false}
     * leaves its listener stopped), with {@code configuration} classes registered as well.
     */
    SpringEndToEnd(DataSource dataSource, List<String> properties, Class<?>... configuration) {
        context = new SpringApplicationBuilder(App.class).sources(configuration)
                .initializers(ctx -> ctx.getBeanFactory().registerSingleton("benchmarkDataSource",
                        new DelegatingDataSource(dataSource)))
                .properties("spring.main.banner-mode=off", "spring.main.web-application-type=none",
                        "logging.level.root=WARN", "signal-bus.jdbc.initialize-schema=false")
                .properties(properties.toArray(String[]::new))
                .logStartupInfo(false)
                .run();
        bus = context.getBean(SignalBus.class);
        listener = context.getBean(LatencyListener.class);
    }

    <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    /** {@code publishers} threads publishing one signal per call as fast as they can for {@code duration}. */
    Result fullSpeed(int publishers, Duration duration) throws Exception {
        return fullSpeed(publishers, 1, duration, bus::publish);
    }

    /** {@code publishers} threads sending {@code perCall} signals per call as fast as they can for {@code duration}. */
    Result fullSpeed(int publishers, int perCall, Duration duration, Sender sender) throws Exception {
        var round = new Round(2_000_000);
        var calls = new Latencies(2_000_000);
        listener.round = round;
        Load.Result published = Load.run(publishers, duration, thread -> () -> {
            long sent = System.nanoTime();
            sender.send(signals(perCall, sent));
            calls.record(System.nanoTime() - sent);
            return perCall;
        });
        return finish(round, published, calls);
    }

    private List<Signal> signals(int count, long sentNanos) {
        if (count == 1) {
            return List.of(Payloads.signal(sequence.incrementAndGet(), sentNanos));
        }
        var signals = new ArrayList<Signal>(count);
        for (int i = 0; i < count; i++) {
            signals.add(Payloads.signal(sequence.incrementAndGet(), sentNanos));
        }
        return signals;
    }

    /**
     * {@code publishers} threads together publishing {@code perSecond} signals a second on a fixed
     * schedule. A signal's send time is when the schedule said to send it, so a publisher that falls
     * behind adds its delay to the latency (no coordinated omission).
     */
    Result fixedRate(int publishers, int perSecond, Duration duration) throws Exception {
        return fixedRate(publishers, perSecond, duration, bus::publish);
    }

    /** As {@link #fixedRate(int, int, Duration)}, one signal per call to {@code sender}. */
    Result fixedRate(int publishers, int perSecond, Duration duration, Sender sender) throws Exception {
        return fixedRate(publishers, perSecond, duration, sender, this);
    }

    /** As {@link #fixedRate(int, int, Duration, Sender)}, the signals handled by {@code receiver}'s listener. */
    static Result fixedRate(int publishers, int perSecond, Duration duration, Sender sender, SpringEndToEnd receiver)
            throws Exception {
        var round = new Round((int) (perSecond * duration.toSeconds() * 2));
        var calls = new Latencies((int) (perSecond * duration.toSeconds() * 2));
        receiver.listener.round = round;
        long intervalNanos = 1_000_000_000L * publishers / perSecond;
        long origin = System.nanoTime() + 10_000_000;
        Load.Result published = Load.run(publishers, duration, thread -> new Load.Worker() {
            private long next = origin + thread * intervalNanos / publishers;

            @Override
            public int step() {
                long wait;
                while ((wait = next - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                sender.send(receiver.signals(1, next));
                calls.record(System.nanoTime() - next);
                next += intervalNanos;
                return 1;
            }
        });
        return receiver.finish(round, published, calls);
    }

    private Result finish(Round round, Load.Result published, Latencies calls) throws InterruptedException {
        DurableBus.awaitCount(round.handled::get, published.units(), "end-to-end delivery");
        listener.round = null;
        return new Result(new Load.Result(published.units(), published.startNanos(), round.lastNanos),
                round.latencies, calls);
    }

    @Override
    public void close() {
        context.close();
    }
}
