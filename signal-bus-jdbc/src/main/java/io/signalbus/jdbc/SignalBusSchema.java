package io.signalbus.jdbc;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Creates and upgrades the signal-bus tables ({@code signal_bus_*}) with the starter's own Flyway
 * instance: migrations from {@code classpath:db/signal-bus/<database>/}, history in
 * {@code signal_bus_schema_history}. It never reads or writes the application's own Flyway history,
 * and a schema that already holds the application's tables is baselined at version 0 first.
 */
public final class SignalBusSchema {

    /** The table in which the starter's Flyway records the signal-bus migrations. */
    public static final String HISTORY_TABLE = "signal_bus_schema_history";

    private SignalBusSchema() {
    }

    /**
     * Applies pending signal-bus migrations to the database behind {@code dataSource}; safe to call
     * on every start and from several processes at once (Flyway locks the history table).
     *
     * @throws IllegalArgumentException the database is neither H2 nor PostgreSQL
     * @throws org.flywaydb.core.api.FlywayException a migration failed
     */
    public static void migrate(DataSource dataSource) {
        JdbcDialect dialect = JdbcDialect.of(dataSource);
        Flyway.configure(SignalBusSchema.class.getClassLoader())
                .dataSource(dataSource)
                .locations(dialect.migrationLocation())
                .table(HISTORY_TABLE)
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .load()
                .migrate();
    }
}
