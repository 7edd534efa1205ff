package io.signalbus;

import io.signalbus.internal.BusConfig;
import io.signalbus.internal.DefaultSignalBus;
import io.signalbus.json.SignalJson;
import io.signalbus.store.InMemorySignalStore;
import io.signalbus.store.SignalStore;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Configures and builds a {@link SignalBus}; every setting has a sensible default. */
public final class SignalBusBuilder {

    /** Bus names: letters, digits, {@code _} and {@code -}, 1 to 100 characters. */
    public static final Pattern NAME_PATTERN = Pattern.compile("[A-Za-z0-9_-]{1,100}");

    /** Default of {@link #maxPayloadSize(int)}: 1 MiB. */
    public static final int DEFAULT_MAX_PAYLOAD_SIZE = 1024 * 1024;
    /** Default of {@link #pollInterval(Duration)}. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);
    /** Default count of {@link #checkpointFlush(int, Duration)}. */
    public static final int DEFAULT_CHECKPOINT_FLUSH_COUNT = 100;
    /** Default interval of {@link #checkpointFlush(int, Duration)}. */
    public static final Duration DEFAULT_CHECKPOINT_FLUSH_INTERVAL = Duration.ofSeconds(1);
    /** Default of {@link #readBatchSize(int)}. */
    public static final int DEFAULT_READ_BATCH_SIZE = 500;
    /** Default of {@link #shutdownTimeout(Duration)}. */
    public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
    /** Default of {@link #claimLease(Duration)}. */
    public static final Duration DEFAULT_CLAIM_LEASE = Duration.ofSeconds(30);

    String name = "default";
    @Nullable SignalStore store;
    Clock clock = Clock.systemUTC();
    SubscriptionDefaults defaults = SubscriptionDefaults.STANDARD;
    int maxPayloadSize = DEFAULT_MAX_PAYLOAD_SIZE;
    Duration pollInterval = DEFAULT_POLL_INTERVAL;
    int checkpointFlushCount = DEFAULT_CHECKPOINT_FLUSH_COUNT;
    Duration checkpointFlushInterval = DEFAULT_CHECKPOINT_FLUSH_INTERVAL;
    int readBatchSize = DEFAULT_READ_BATCH_SIZE;
    Duration shutdownTimeout = DEFAULT_SHUTDOWN_TIMEOUT;
    RandomGenerator random = RandomGenerator.getDefault();
    String instanceId = ManagementFactory.getRuntimeMXBean().getName() + "#"
            + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000));
    Duration claimLease = DEFAULT_CLAIM_LEASE;
    SignalJson codec = new SignalJson();
    final List<SignalBusListener> listeners = new ArrayList<>();
    final List<PublishInterceptor> interceptors = new ArrayList<>();
    final List<HandlerDecorator> decorators = new ArrayList<>();
    final List<PublishDecorator> publishDecorators = new ArrayList<>();

    SignalBusBuilder() {
    }

    /** The bus name (default {@code "default"}). */
    public SignalBusBuilder name(String name) {
        if (name == null || !NAME_PATTERN.matcher(name).matches()) {
            throw new InvalidOptionException("invalid bus name " + SignalBusException.quote(name) + ": use 1 to 100 letters, digits, _ or -");
        }
        this.name = name;
        return this;
    }

    /** Where the log and subscription state live (default: a new {@link InMemorySignalStore}). */
    public SignalBusBuilder store(SignalStore store) {
        this.store = Objects.requireNonNull(store, "store");
        return this;
    }

    /** The clock for signal times, ack timeouts, backoff and checkpoint intervals (default UTC system clock). */
    public SignalBusBuilder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /** Defaults for subscription settings left unset. */
    public SignalBusBuilder defaults(SubscriptionDefaults defaults) {
        this.defaults = Objects.requireNonNull(defaults, "defaults");
        return this;
    }

    /**
     * Largest signal, in bytes (default 1 MiB): its serialised data plus its attributes and extensions
     * in UTF-8, so that a huge subject or extension counts as much as huge data.
     */
    public SignalBusBuilder maxPayloadSize(int bytes) {
        InvalidOptionException.requireRange("maxPayloadSize", bytes, 1, Integer.MAX_VALUE);
        this.maxPayloadSize = bytes;
        return this;
    }

    /**
     * How often an idle persistent subscription looks at the store for signals written by other
     * processes, and the longest a timer (ack timeout, retry) may fire late (default 500 ms).
     * Signals published through this bus wake subscribers at once.
     */
    public SignalBusBuilder pollInterval(Duration pollInterval) {
        InvalidOptionException.requirePositive("pollInterval", pollInterval);
        this.pollInterval = pollInterval;
        return this;
    }

    /** Write a checkpoint after this many settled signals (default 100) or this interval (default 1 s). */
    public SignalBusBuilder checkpointFlush(int count, Duration interval) {
        InvalidOptionException.requireRange("checkpoint flush count", count, 1, 1_000_000);
        InvalidOptionException.requirePositive("checkpoint flush interval", interval);
        this.checkpointFlushCount = count;
        this.checkpointFlushInterval = interval;
        return this;
    }

    /** Signals read from the store in one query by a catching-up subscription (default 500). */
    public SignalBusBuilder readBatchSize(int readBatchSize) {
        InvalidOptionException.requireRange("readBatchSize", readBatchSize, 1, 100_000);
        this.readBatchSize = readBatchSize;
        return this;
    }

    /** How long {@code close()} waits for running handlers (default 10 s). */
    public SignalBusBuilder shutdownTimeout(Duration shutdownTimeout) {
        InvalidOptionException.requirePositive("shutdownTimeout", shutdownTimeout);
        this.shutdownTimeout = shutdownTimeout;
        return this;
    }

    /**
     * The name this process claims persistent subscriptions under (default {@code pid@host#random}).
     * One process at a time serves a subscription; the others stand by.
     */
    public SignalBusBuilder instanceId(String instanceId) {
        if (instanceId == null || instanceId.isBlank() || instanceId.length() > 200) {
            throw new InvalidOptionException("instance id must be 1 to 200 characters, was " + SignalBusException.quote(instanceId));
        }
        this.instanceId = instanceId;
        return this;
    }

    /**
     * How long a claim on a persistent subscription lasts without renewal (default 30 s): after a
     * crash, a standby process takes over within this time. Renewed a third into the lease.
     */
    public SignalBusBuilder claimLease(Duration claimLease) {
        InvalidOptionException.requirePositive("claimLease", claimLease);
        this.claimLease = claimLease;
        return this;
    }

    /** The source of retry jitter (tests fix it). */
    public SignalBusBuilder random(RandomGenerator random) {
        this.random = Objects.requireNonNull(random, "random");
        return this;
    }

    /**
     * The codec whose mapper serialises signal data on publish, for the size and read-back checks (default
     * {@code new SignalJson()}). Give the bus and a JSON store the same codec, so that data is checked as
     * it is written; the Spring Boot starter passes one built on the application's {@code JsonMapper}.
     */
    public SignalBusBuilder codec(SignalJson codec) {
        this.codec = Objects.requireNonNull(codec, "codec");
        return this;
    }

    /** Adds a listener (metrics, logs). */
    public SignalBusBuilder listener(SignalBusListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /** Adds a publish interceptor; interceptors run in the order added. */
    public SignalBusBuilder interceptor(PublishInterceptor interceptor) {
        interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
        return this;
    }

    /** Adds a decorator around every handler (tracing, MDC); the first added is outermost. */
    public SignalBusBuilder handlerDecorator(HandlerDecorator decorator) {
        decorators.add(Objects.requireNonNull(decorator, "decorator"));
        return this;
    }

    /** Adds a decorator around every publish call (timing, tracing); the first added is outermost. */
    public SignalBusBuilder publishDecorator(PublishDecorator decorator) {
        publishDecorators.add(Objects.requireNonNull(decorator, "decorator"));
        return this;
    }

    /** A new bus with these settings, its persistent subscriptions not yet started. */
    public SignalBus build() {
        return new DefaultSignalBus(new BusConfig(name, store != null ? store : new InMemorySignalStore(), clock,
                defaults, maxPayloadSize, pollInterval, checkpointFlushCount, checkpointFlushInterval, readBatchSize,
                shutdownTimeout, random, instanceId, claimLease, codec, listeners, interceptors, decorators,
                publishDecorators));
    }
}
