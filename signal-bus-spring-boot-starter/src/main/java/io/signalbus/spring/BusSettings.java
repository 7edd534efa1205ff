package io.signalbus.spring;

import io.signalbus.InvalidOptionException;
import io.signalbus.RetryPolicy;
import io.signalbus.SignalBusBuilder;
import io.signalbus.StartFrom;
import io.signalbus.SubscribeOptions;
import io.signalbus.SubscriptionDefaults;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.springframework.util.unit.DataSize;

/**
 * The settings a bus is built with, each overridable per bus ({@code signal-bus.buses.<name>.*}).
 * A setting left unset takes the value of {@code signal-bus.*}, and then the library's default
 * ({@link SignalBusBuilder} and {@link SubscriptionDefaults#STANDARD} define them, once). Each setter
 * checks its value, so a bad one fails at startup naming the property.
 */
public class BusSettings {

    /** Unacked deliveries per persistent subscription (default 1000). */
    private @Nullable Integer maxInFlight;

    /** Deliveries of one signal before it becomes a dead letter (default 5). */
    private @Nullable Integer maxAttempts;

    /** How long a delivery may stay unacked before it is redelivered (default 30s). */
    private @Nullable Duration ackTimeout;

    /** Where a new persistent subscription starts: origin, current, a position or an ISO-8601 instant (default current). */
    private @Nullable StartFrom startFrom;

    /** Largest signal: its serialised data plus its attributes and extensions (default 1MB). */
    private @Nullable DataSize maxPayloadSize;

    /** How often idle subscriptions poll the store for signals written by other processes (default 500ms). */
    private @Nullable Duration pollInterval;

    /** Signals read per query while a subscription catches up (default 500). */
    private @Nullable Integer readBatchSize;

    /** How long shutdown waits for running handlers (default 10s). */
    private @Nullable Duration shutdownTimeout;

    /**
     * How long this process's claim on a persistent subscription lasts without renewal (default 30s).
     * One process at a time serves a subscription; after a crash another takes over within this time.
     */
    private @Nullable Duration claimLease;

    private final Retry retry = new Retry();

    private final Checkpoint checkpoint = new Checkpoint();

    /**
     * Applies {@code layers} to {@code builder}: for each setting the first layer that sets it wins
     * (a bus's own settings before the global ones); settings no layer sets keep the builder's default.
     */
    static void applyTo(SignalBusBuilder builder, List<BusSettings> layers) {
        builder.defaults(subscriptionDefaults(layers));
        builder.maxPayloadSize((int) Math.min(Integer.MAX_VALUE, first(layers, s -> s.maxPayloadSize,
                DataSize.ofBytes(SignalBusBuilder.DEFAULT_MAX_PAYLOAD_SIZE)).toBytes()));
        builder.pollInterval(first(layers, s -> s.pollInterval, SignalBusBuilder.DEFAULT_POLL_INTERVAL));
        builder.readBatchSize(first(layers, s -> s.readBatchSize, SignalBusBuilder.DEFAULT_READ_BATCH_SIZE));
        builder.shutdownTimeout(first(layers, s -> s.shutdownTimeout, SignalBusBuilder.DEFAULT_SHUTDOWN_TIMEOUT));
        builder.claimLease(first(layers, s -> s.claimLease, SignalBusBuilder.DEFAULT_CLAIM_LEASE));
        builder.checkpointFlush(
                first(layers, s -> s.checkpoint.flushCount, SignalBusBuilder.DEFAULT_CHECKPOINT_FLUSH_COUNT),
                first(layers, s -> s.checkpoint.flushInterval, SignalBusBuilder.DEFAULT_CHECKPOINT_FLUSH_INTERVAL));
    }

    /** The subscription defaults {@code layers} give, setting by setting; the library's where none sets one. */
    static SubscriptionDefaults subscriptionDefaults(List<BusSettings> layers) {
        SubscriptionDefaults standard = SubscriptionDefaults.STANDARD;
        return new SubscriptionDefaults(first(layers, s -> s.maxInFlight, standard.maxInFlight()),
                first(layers, s -> s.maxAttempts, standard.maxAttempts()),
                first(layers, s -> s.ackTimeout, standard.ackTimeout()),
                first(layers, s -> s.startFrom, standard.startFrom()), retryPolicy(layers));
    }

    /** The backoff {@code layers} give, setting by setting; the library's default where none sets one. */
    static RetryPolicy retryPolicy(List<BusSettings> layers) {
        RetryPolicy standard = SubscriptionDefaults.STANDARD.retry();
        return new RetryPolicy(first(layers, s -> s.retry.initialBackoff, standard.initial()),
                first(layers, s -> s.retry.maxBackoff, standard.max()),
                first(layers, s -> s.retry.multiplier, standard.multiplier()),
                first(layers, s -> s.retry.jitter, standard.jitter()));
    }

    private static <T> T first(List<BusSettings> layers, Function<BusSettings, @Nullable T> setting, T fallback) {
        for (BusSettings layer : layers) {
            T value = setting.apply(layer);
            if (value != null) {
                return value;
            }
        }
        return fallback;
    }

    /** Backoff between delivery attempts: with {@code max-attempts}, the failure policy of subscriptions. */
    public static class Retry {

        /** Delay after the first failed attempt (default 1s). */
        private @Nullable Duration initialBackoff;

        /** Longest delay between attempts, before jitter (default 60s). */
        private @Nullable Duration maxBackoff;

        /** Growth of the delay per attempt, at least 1 (default 2.0). */
        private @Nullable Double multiplier;

        /** Random spread of each delay, as a fraction from 0 to 1 (default 0.2 = ±20 %). */
        private @Nullable Double jitter;

        public @Nullable Duration getInitialBackoff() {
            return initialBackoff;
        }

        public void setInitialBackoff(@Nullable Duration initialBackoff) {
            this.initialBackoff = positive("retry.initial-backoff", initialBackoff);
        }

        public @Nullable Duration getMaxBackoff() {
            return maxBackoff;
        }

        public void setMaxBackoff(@Nullable Duration maxBackoff) {
            this.maxBackoff = positive("retry.max-backoff", maxBackoff);
        }

        public @Nullable Double getMultiplier() {
            return multiplier;
        }

        public void setMultiplier(@Nullable Double multiplier) {
            if (multiplier != null && !(multiplier >= 1.0 && multiplier <= 1000.0)) {
                throw new InvalidOptionException("retry.multiplier must be between 1 and 1000, was " + multiplier);
            }
            this.multiplier = multiplier;
        }

        public @Nullable Double getJitter() {
            return jitter;
        }

        public void setJitter(@Nullable Double jitter) {
            if (jitter != null && !(jitter >= 0.0 && jitter <= 1.0)) {
                throw new InvalidOptionException("retry.jitter must be between 0 and 1, was " + jitter);
            }
            this.jitter = jitter;
        }
    }

    /** When checkpoints are written. */
    public static class Checkpoint {

        /** Write a subscription's checkpoint after this many settled signals (default 100). */
        private @Nullable Integer flushCount;

        /** ... or after this long, whichever comes first, and always on shutdown (default 1s). */
        private @Nullable Duration flushInterval;

        public @Nullable Integer getFlushCount() {
            return flushCount;
        }

        public void setFlushCount(@Nullable Integer flushCount) {
            this.flushCount = range("checkpoint.flush-count", flushCount, 1, 1_000_000);
        }

        public @Nullable Duration getFlushInterval() {
            return flushInterval;
        }

        public void setFlushInterval(@Nullable Duration flushInterval) {
            this.flushInterval = positive("checkpoint.flush-interval", flushInterval);
        }
    }

    private static @Nullable Integer range(String name, @Nullable Integer value, int min, int max) {
        if (value != null) {
            InvalidOptionException.requireRange(name, value, min, max);
        }
        return value;
    }

    private static @Nullable Duration positive(String name, @Nullable Duration value) {
        if (value != null) {
            InvalidOptionException.requirePositive(name, value);
        }
        return value;
    }

    public @Nullable Integer getMaxInFlight() {
        return maxInFlight;
    }

    public void setMaxInFlight(@Nullable Integer maxInFlight) {
        this.maxInFlight = range("max-in-flight", maxInFlight, 1, SubscribeOptions.MAX_IN_FLIGHT_LIMIT);
    }

    public @Nullable Integer getMaxAttempts() {
        return maxAttempts;
    }

    public void setMaxAttempts(@Nullable Integer maxAttempts) {
        this.maxAttempts = range("max-attempts", maxAttempts, 1, SubscribeOptions.MAX_ATTEMPTS_LIMIT);
    }

    public @Nullable Duration getAckTimeout() {
        return ackTimeout;
    }

    public void setAckTimeout(@Nullable Duration ackTimeout) {
        this.ackTimeout = positive("ack-timeout", ackTimeout);
    }

    public @Nullable StartFrom getStartFrom() {
        return startFrom;
    }

    /** Takes {@code origin}, {@code current}, a position (1 or more) or an ISO-8601 instant. */
    public void setStartFrom(@Nullable StartFrom startFrom) {
        this.startFrom = startFrom;
    }

    public @Nullable DataSize getMaxPayloadSize() {
        return maxPayloadSize;
    }

    public void setMaxPayloadSize(@Nullable DataSize maxPayloadSize) {
        if (maxPayloadSize != null) {
            InvalidOptionException.requireRange("max-payload-size", maxPayloadSize.toBytes(), 1, Integer.MAX_VALUE);
        }
        this.maxPayloadSize = maxPayloadSize;
    }

    public @Nullable Duration getPollInterval() {
        return pollInterval;
    }

    public void setPollInterval(@Nullable Duration pollInterval) {
        this.pollInterval = positive("poll-interval", pollInterval);
    }

    public @Nullable Integer getReadBatchSize() {
        return readBatchSize;
    }

    public void setReadBatchSize(@Nullable Integer readBatchSize) {
        this.readBatchSize = range("read-batch-size", readBatchSize, 1, 100_000);
    }

    public @Nullable Duration getShutdownTimeout() {
        return shutdownTimeout;
    }

    public void setShutdownTimeout(@Nullable Duration shutdownTimeout) {
        this.shutdownTimeout = positive("shutdown-timeout", shutdownTimeout);
    }

    public @Nullable Duration getClaimLease() {
        return claimLease;
    }

    public void setClaimLease(@Nullable Duration claimLease) {
        this.claimLease = positive("claim-lease", claimLease);
    }

    public Retry getRetry() {
        return retry;
    }

    public Checkpoint getCheckpoint() {
        return checkpoint;
    }

    /** The layers of one bus: its own settings (if it has any) over the global ones. */
    static List<BusSettings> layers(@Nullable BusSettings bus, BusSettings global) {
        return bus == null ? List.of(global) : List.of(bus, global);
    }

    /** Whether any retry setting is set here. */
    boolean setsRetry() {
        return retry.initialBackoff != null || retry.maxBackoff != null || retry.multiplier != null
                || retry.jitter != null;
    }
}
