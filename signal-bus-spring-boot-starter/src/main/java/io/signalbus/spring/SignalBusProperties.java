package io.signalbus.spring;

import io.signalbus.InvalidOptionException;
import io.signalbus.SignalBusBuilder;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.sql.init.DatabaseInitializationMode;

/**
 * Settings of signal-bus, under {@code signal-bus.*}: the bus settings every bus takes (see
 * {@link BusSettings}), and {@code buses.<name>} adds buses that may override any of them.
 */
@ConfigurationProperties("signal-bus")
public class SignalBusProperties extends BusSettings {

    /** Whether to create the buses and start {@code @SignalListener} methods. */
    private boolean enabled = true;

    /** Where signals are stored: {@code auto} (JDBC when there is a DataSource, else memory), {@code jdbc}, {@code memory}. */
    private StoreType store = StoreType.AUTO;

    /**
     * Delete signals older than this once every persistent subscription has settled them; unset keeps
     * the log forever. Dead letters keep their own copy of the signal.
     */
    private @Nullable Duration retention;

    /** How often retention runs. */
    private Duration retentionInterval = Duration.ofMinutes(10);

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

    private final Jdbc jdbc = new Jdbc();

    /** Further buses by name, each with its own log; settings not given take the values above. */
    private final Map<String, BusSettings> buses = new LinkedHashMap<>();

    /** Every setting of the bus {@code name} onto its builder: its own over the global ones. */
    void applyTo(SignalBusBuilder builder, String name) {
        BusSettings.applyTo(builder, layersOf(name));
        if (instanceId != null) {
            builder.instanceId(instanceId);
        }
    }

    /** The settings of the bus {@code name}, most specific first. */
    List<BusSettings> layersOf(String name) {
        return BusSettings.layers(buses.get(name), this);
    }

    /** Store choices. */
    public enum StoreType { AUTO, JDBC, MEMORY }

    /** The JDBC store. */
    public static class Jdbc {

        /**
         * When to create and migrate the signal_bus_* tables (with signal-bus's own Flyway history
         * table): always (the default, as before), embedded (only on an embedded database such as
         * in-memory H2) or never (create them some other way). true and false still work and mean
         * always and never.
         */
        private DatabaseInitializationMode initializeSchema = DatabaseInitializationMode.ALWAYS;

        /**
         * Query timeout of every statement of the JDBC store (whole seconds, rounded up): the database
         * cancels a statement that runs longer. Shorter than publish-timeout, so that a slow write fails
         * with a definite answer before its publisher stops waiting. A connection that stops answering
         * is not freed by it: set the driver's socket timeout (PostgreSQL socketTimeout).
         */
        private Duration queryTimeout = Duration.ofSeconds(5);

        /**
         * Whether instances on one PostgreSQL database wake each other with LISTEN/NOTIFY: the store
         * holds one connection of the DataSource to listen on channel signal_bus, and while another
         * instance listens, every commit that appends to a bus notifies the channel, so that a
         * subscription served here gets a signal another instance published at once rather than at
         * its next poll (an instance alone sends no notifications). Set false behind a
         * connection pooler that cannot hold a LISTEN connection (PgBouncer in transaction mode):
         * such signals then arrive within the poll interval. No effect on H2.
         */
        private boolean notify = true;

        public boolean isNotify() {
            return notify;
        }

        public void setNotify(boolean notify) {
            this.notify = notify;
        }

        public Duration getQueryTimeout() {
            return queryTimeout;
        }

        public void setQueryTimeout(Duration queryTimeout) {
            InvalidOptionException.requirePositive("signal-bus.jdbc.query-timeout", queryTimeout);
            this.queryTimeout = queryTimeout;
        }

        public DatabaseInitializationMode getInitializeSchema() {
            return initializeSchema;
        }

        public void setInitializeSchema(DatabaseInitializationMode initializeSchema) {
            this.initializeSchema = initializeSchema;
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

    public @Nullable String getInstanceId() {
        return instanceId;
    }

    public void setInstanceId(@Nullable String instanceId) {
        this.instanceId = instanceId;
    }

    public Jdbc getJdbc() {
        return jdbc;
    }

    public Map<String, BusSettings> getBuses() {
        return buses;
    }

    public Duration getPublishTimeout() {
        return publishTimeout;
    }

    public void setPublishTimeout(Duration publishTimeout) {
        InvalidOptionException.requirePositive("signal-bus.publish-timeout", publishTimeout);
        this.publishTimeout = publishTimeout;
    }
}
