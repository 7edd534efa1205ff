package io.signalbus.jdbc;

import io.signalbus.SignalStoreException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Locale;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.support.JdbcUtils;
import org.springframework.jdbc.support.MetaDataAccessException;

/**
 * The supported databases, chosen by the product name the database reports, and what each brings:
 * its statements ({@link StoreStatements}), its {@link AppendStrategy}, the folder of its Flyway
 * migrations, and what to set up when a store starts. Adding a database means a constant here, a
 * statements class, a strategy and its migrations.
 */
enum JdbcDialect {

    H2("h2") {
        private final H2Statements statements = new H2Statements();

        @Override
        StoreStatements statements() {
            return statements;
        }

        @Override
        AppendStrategy appendStrategy(JdbcTemplate jdbc, @Nullable BusNotifications notifications) {
            return new H2AppendStrategy(jdbc, statements);
        }

        /**
         * H2 keeps commits in memory for up to {@code WRITE_DELAY} ms before it writes them to the
         * file, so a killed process loses signals that {@code publish} had returned. With 0, MVStore
         * writes every commit to the file before the commit returns (it does not fsync: a killed
         * process loses nothing, a power cut may). The setting is database-wide, needs an admin user,
         * and is reset (to 500 ms, or the URL's value) whenever the database is opened again: so on a
         * file database the store keeps a connection open, which keeps the database open.
         */
        @Override
        @Nullable Connection prepare(DataSource dataSource, JdbcTemplate jdbc) throws SQLException {
            setWriteDelayZero(jdbc);
            Connection connection = dataSource.getConnection();
            if (connection.getMetaData().getURL().contains(":mem:")) {
                connection.close();
                return null;
            }
            return connection;
        }

        private void setWriteDelayZero(JdbcTemplate jdbc) {
            Integer writeDelay = jdbc.queryForObject(statements.writeDelay(), Integer.class);
            if (writeDelay == null || writeDelay == 0) {
                return; // in-memory databases have no write delay
            }
            try {
                jdbc.execute(statements.writeEveryCommit());
                log.debug("H2 WRITE_DELAY was {} ms; set to 0 so that every commit reaches the file", writeDelay);
            } catch (DataAccessException e) {
                log.warn("could not set H2 WRITE_DELAY to 0 (it is {} ms; the user needs admin rights): a killed process"
                        + " may lose signals and checkpoints committed in its last {} ms. Add ;WRITE_DELAY=0 to the"
                        + " JDBC URL to fix this", writeDelay, writeDelay, e);
            }
        }
    },

    POSTGRESQL("postgresql") {
        private final PostgresStatements statements = new PostgresStatements();

        @Override
        StoreStatements statements() {
            return statements;
        }

        @Override
        AppendStrategy appendStrategy(JdbcTemplate jdbc, @Nullable BusNotifications notifications) {
            return new PostgresAppendStrategy(statements, notifications);
        }

        /**
         * Warns of a log whose unique key predates V8 ({@link LogKeyCheck}) and of a staging table
         * autovacuum will not vacuum ({@link VacuumCheck}).
         */
        @Override
        @Nullable Connection prepare(DataSource dataSource, JdbcTemplate jdbc) {
            warnIfAny(LogKeyCheck.class, LogKeyCheck.warning(jdbc));
            warnIfAny(VacuumCheck.class, VacuumCheck.warning(jdbc));
            return null;
        }
    };

    private static final Logger log = LoggerFactory.getLogger(JdbcDialect.class);

    private final String folder;

    JdbcDialect(String folder) {
        this.folder = folder;
    }

    /** Logs a start-up check's warning, if it has one, under the check's own logger (so it can be silenced alone). */
    private static void warnIfAny(Class<?> check, @Nullable String warning) {
        if (warning != null) {
            LoggerFactory.getLogger(check).warn(warning);
        }
    }

    /** This database's SQL. */
    abstract StoreStatements statements();

    /**
     * How this database appends to the log, on {@code jdbc}'s DataSource; with {@code notifications},
     * each append also notifies the bus through them where the database can.
     */
    abstract AppendStrategy appendStrategy(JdbcTemplate jdbc, @Nullable BusNotifications notifications);

    /** How this database appends to the log, without notifications. */
    AppendStrategy appendStrategy(JdbcTemplate jdbc) {
        return appendStrategy(jdbc, null);
    }

    /** The classpath folder of this database's Flyway migrations. */
    String migrationLocation() {
        return "classpath:db/signal-bus/" + folder;
    }

    /**
     * Makes the database safe for the store; runs once when a store starts. Returns a connection the
     * store must hold open until it closes, or null.
     */
    @Nullable Connection prepare(DataSource dataSource, JdbcTemplate jdbc) throws SQLException {
        return null;
    }

    /** The dialect of the database behind {@code dataSource}. */
    static JdbcDialect of(DataSource dataSource) {
        String product;
        try {
            product = JdbcUtils.extractDatabaseMetaData(dataSource, DatabaseMetaData::getDatabaseProductName);
        } catch (MetaDataAccessException e) {
            throw new SignalStoreException("could not read the database product name to choose the SQL dialect of"
                    + " the signal-bus JDBC store", e);
        }
        return ofProductName(product);
    }

    static JdbcDialect ofProductName(@Nullable String productName) {
        return switch (productName == null ? "" : productName.toLowerCase(Locale.ROOT)) {
            case "h2" -> H2;
            case "postgresql" -> POSTGRESQL;
            default -> throw new IllegalArgumentException("the signal-bus JDBC store supports H2 and PostgreSQL, not '"
                    + productName + "'; use another SignalStore for this database");
        };
    }
}
