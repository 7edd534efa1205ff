package io.signalbus.spring;

import io.signalbus.RetryPolicy;
import io.signalbus.SignalBusBuilder;
import io.signalbus.StartFrom;
import io.signalbus.SubscriptionDefaults;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/** Settings of signal-bus, under {@code signal-bus.*}. Every bus takes these; {@code buses.<name>} adds buses. */
@ConfigurationProperties("signal-bus")
public class SignalBusProperties {

    /** Whether to create the buses and start {@code @SignalListener} methods. */
    private boolean enabled = true;

    /** Where signals are stored: {@code auto} (JDBC when there is a DataSource, else memory), {@code jdbc}, {@code memory}. */
    private StoreType store = StoreType.AUTO;

    /** Unacked deliveries per persistent subscription. */
    private int maxInFlight = 1000;

    /** Deliveries of one signal before it becomes a dead letter. */
    private int maxAttempts = 5;

    /** How long a delivery may stay unacked before it is redelivered. */
    private Duration ackTimeout = Duration.ofSeconds(30);

    /** Where a new persistent subscription starts: origin, current, a position or an ISO-8601 instant. */
    private String startFrom = "current";

    /** Largest serialised data of one signal. */
    private DataSize maxPayloadSize = DataSize.ofMegabytes(1);

    /** How often idle subscriptions poll the store for signals written by other processes. */
    private Duration pollInterval = Duration.ofMillis(500);

    /** Signals read per query while a subscription catches up. */
    private int readBatchSize = 500;

    /** How long shutdown waits for running handlers. */
    private Duration shutdownTimeout = Duration.ofSeconds(10);

    /**
     * Delete signals older than this once every persistent subscription has settled them; unset keeps
     * the log forever. Dead letters keep their own copy of the signal.
     */
    private @Nullable Duration retention;

    /** How often retention runs. */
    private Duration retentionInterval = Duration.ofMinutes(10);

    /**
     * How long this process's claim on a persistent subscription lasts without renewal. One process
     * at a time serves a subscription; after a crash another takes over within this time.
     */
    private Duration claimLease = Duration.ofSeconds(30);

    /** The name this process claims subscriptions under; unset takes {@code pid@host#random}. */
    private @Nullable String instanceId;

    /**
     * The longest a publish outside a transaction waits for the JDBC store to commit it, queueing
     * included. A publish that stops waiting fails: with a SignalStoreException when nothing was
     * written, or a PublishOutcomeUnknownException when the write was under way (publishing the same
     * signals again is then safe: an id already in the log is rejected). While the database is
     * unavailable, publishes fail at once instead.
     */
    private Duration publishTimeout = Duration.ofSeconds(10);

    private final Retry retry = new Retry();

    private final Checkpoint checkpoint = new Checkpoint();

    private final Jdbc jdbc = new Jdbc();

    /** Further buses by name, each with its own log; settings not given take the values above. */
    private final Map<String, Bus> buses = new LinkedHashMap<>();

    /** The default bus settings merged into one bus builder. */
    void applyTo(SignalBusBuilder builder, @Nullable Bus overrides) {
        builder.maxPayloadSize((int) Math.min(Integer.MAX_VALUE,
                overrides != null && overrides.maxPayloadSize != null ? overrides.maxPayloadSize.toBytes()
                        : maxPayloadSize.toBytes()))
                .pollInterval(pollInterval)
                .readBatchSize(readBatchSize)
                .shutdownTimeout(shutdownTimeout)
                .claimLease(claimLease)
                .checkpointFlush(checkpoint.flushCount, checkpoint.flushInterval)
                .defaults(new SubscriptionDefaults(
                        overrides != null && overrides.maxInFlight != null ? overrides.maxInFlight : maxInFlight,
                        overrides != null && overrides.maxAttempts != null ? overrides.maxAttempts : maxAttempts,
                        overrides != null && overrides.ackTimeout != null ? overrides.ackTimeout : ackTimeout,
                        StartFrom.parse(startFrom),
                        new RetryPolicy(retry.initialBackoff, retry.maxBackoff, retry.multiplier, retry.jitter)));
        if (instanceId != null) {
            builder.instanceId(instanceId);
        }
    }

    /** Store choices. */
    public enum StoreType { AUTO, JDBC, MEMORY }

    /** Backoff between delivery attempts. */
    public static class Retry {

        /** Delay after the first failed attempt. */
        private Duration initialBackoff = Duration.ofSeconds(1);

        /** Longest delay between attempts (before jitter). */
        private Duration maxBackoff = Duration.ofSeconds(60);

        /** Growth of the delay per attempt. */
        private double multiplier = 2.0;

        /** Random spread of each delay, as a fraction (0.2 = ±20 %). */
        private double jitter = 0.2;

        public Duration getInitialBackoff() {
            return initialBackoff;
        }

        public void setInitialBackoff(Duration initialBackoff) {
            this.initialBackoff = initialBackoff;
        }

        public Duration getMaxBackoff() {
            return maxBackoff;
        }

        public void setMaxBackoff(Duration maxBackoff) {
            this.maxBackoff = maxBackoff;
        }

        public double getMultiplier() {
            return multiplier;
        }

        public void setMultiplier(double multiplier) {
            this.multiplier = multiplier;
        }

        public double getJitter() {
            return jitter;
        }

        public void setJitter(double jitter) {
            this.jitter = jitter;
        }
    }

    /** When checkpoints are written. */
    public static class Checkpoint {

        /** Write a subscription's checkpoint after this many settled signals. */
        private int flushCount = 100;

        /** ... or after this long, whichever comes first (and always on shutdown). */
        private Duration flushInterval = Duration.ofSeconds(1);

        public int getFlushCount() {
            return flushCount;
        }

        public void setFlushCount(int flushCount) {
            this.flushCount = flushCount;
        }

        public Duration getFlushInterval() {
            return flushInterval;
        }

        public void setFlushInterval(Duration flushInterval) {
            this.flushInterval = flushInterval;
        }
    }

    /** The JDBC store. */
    public static class Jdbc {

        /** Create and migrate the signal_bus_* tables with signal-bus's own Flyway history table. */
        private boolean initializeSchema = true;

        /**
         * Query timeout of every statement of the JDBC store (whole seconds, rounded up): the database
         * cancels a statement that runs longer. Shorter than publish-timeout, so that a slow write fails
         * with a definite answer before its publisher stops waiting. A connection that stops answering
         * is not freed by it: set the driver's socket timeout (PostgreSQL socketTimeout).
         */
        private Duration queryTimeout = Duration.ofSeconds(5);

        public Duration getQueryTimeout() {
            return queryTimeout;
        }

        public void setQueryTimeout(Duration queryTimeout) {
            requirePositive("signal-bus.jdbc.query-timeout", queryTimeout);
            this.queryTimeout = queryTimeout;
        }

        public boolean isInitializeSchema() {
            return initializeSchema;
        }

        public void setInitializeSchema(boolean initializeSchema) {
            this.initializeSchema = initializeSchema;
        }
    }

    /** Settings of one further bus; unset ones take the global values. */
    public static class Bus {

        /** Unacked deliveries per persistent subscription on this bus. */
        private @Nullable Integer maxInFlight;

        /** Deliveries before dead-lettering on this bus. */
        private @Nullable Integer maxAttempts;

        /** Ack timeout on this bus. */
        private @Nullable Duration ackTimeout;

        /** Largest serialised data of one signal on this bus. */
        private @Nullable DataSize maxPayloadSize;

        public @Nullable Integer getMaxInFlight() {
            return maxInFlight;
        }

        public void setMaxInFlight(@Nullable Integer maxInFlight) {
            this.maxInFlight = maxInFlight;
        }

        public @Nullable Integer getMaxAttempts() {
            return maxAttempts;
        }

        public void setMaxAttempts(@Nullable Integer maxAttempts) {
            this.maxAttempts = maxAttempts;
        }

        public @Nullable Duration getAckTimeout() {
            return ackTimeout;
        }

        public void setAckTimeout(@Nullable Duration ackTimeout) {
            this.ackTimeout = ackTimeout;
        }

        public @Nullable DataSize getMaxPayloadSize() {
            return maxPayloadSize;
        }

        public void setMaxPayloadSize(@Nullable DataSize maxPayloadSize) {
            this.maxPayloadSize = maxPayloadSize;
        }
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public StoreType getStore() {
        return store;
    }

    public void setStore(StoreType store) {
        this.store = store;
    }

    public int getMaxInFlight() {
        return maxInFlight;
    }

    public void setMaxInFlight(int maxInFlight) {
        this.maxInFlight = maxInFlight;
    }

    public int getMaxAttempts() {
        return maxAttempts;
    }

    public void setMaxAttempts(int maxAttempts) {
        this.maxAttempts = maxAttempts;
    }

    public Duration getAckTimeout() {
        return ackTimeout;
    }

    public void setAckTimeout(Duration ackTimeout) {
        this.ackTimeout = ackTimeout;
    }

    public String getStartFrom() {
        return startFrom;
    }

    public void setStartFrom(String startFrom) {
        this.startFrom = startFrom;
    }

    public DataSize getMaxPayloadSize() {
        return maxPayloadSize;
    }

    public void setMaxPayloadSize(DataSize maxPayloadSize) {
        this.maxPayloadSize = maxPayloadSize;
    }

    public Duration getPollInterval() {
        return pollInterval;
    }

    public void setPollInterval(Duration pollInterval) {
        this.pollInterval = pollInterval;
    }

    public int getReadBatchSize() {
        return readBatchSize;
    }

    public void setReadBatchSize(int readBatchSize) {
        this.readBatchSize = readBatchSize;
    }

    public Duration getShutdownTimeout() {
        return shutdownTimeout;
    }

    public void setShutdownTimeout(Duration shutdownTimeout) {
        this.shutdownTimeout = shutdownTimeout;
    }

    public @Nullable Duration getRetention() {
        return retention;
    }

    public void setRetention(@Nullable Duration retention) {
        this.retention = retention;
    }

    public Duration getRetentionInterval() {
        return retentionInterval;
    }

    public void setRetentionInterval(Duration retentionInterval) {
        this.retentionInterval = retentionInterval;
    }

    public Duration getClaimLease() {
        return claimLease;
    }

    public void setClaimLease(Duration claimLease) {
        this.claimLease = claimLease;
    }

    public @Nullable String getInstanceId() {
        return instanceId;
    }

    public void setInstanceId(@Nullable String instanceId) {
        this.instanceId = instanceId;
    }

    public Retry getRetry() {
        return retry;
    }

    public Checkpoint getCheckpoint() {
        return checkpoint;
    }

    public Jdbc getJdbc() {
        return jdbc;
    }

    public Map<String, Bus> getBuses() {
        return buses;
    }

    public Duration getPublishTimeout() {
        return publishTimeout;
    }

    public void setPublishTimeout(Duration publishTimeout) {
        requirePositive("signal-bus.publish-timeout", publishTimeout);
        this.publishTimeout = publishTimeout;
    }

    private static void requirePositive(String property, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(property + " must be positive, was " + value);
        }
    }
}
