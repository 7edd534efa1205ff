package io.signalbus.jdbc;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * Creates and upgrades the signal-bus tables ({@code signal_bus_*}) with signal-bus's own Flyway
 * instance: migrations from {@code classpath:db/signal-bus/<database>/}, history in
 * {@code signal_bus_schema_history}. It never reads or writes the application's own Flyway history,
 * and a schema that already holds the application's tables is baselined at version 0 first.
 *
 * <p>The only class of this module that uses Flyway, an optional dependency: call it only with
 * {@code flyway-core} (and, for PostgreSQL, {@code flyway-database-postgresql}) on the class path. A
 * {@link JdbcSignalStore} on tables created some other way needs neither.
 */
public final class SignalBusSchema {

    /** The table in which signal-bus's Flyway records its migrations. */
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
