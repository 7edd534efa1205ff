package io.signalbus.jdbc;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.postgresql.ds.PGConnectionPoolDataSource;
import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * Migrated databases for the JDBC store tests: a shared H2 in-memory database, fresh H2 file
 * databases, and the PostgreSQL database named by {@value #POSTGRES_URL}, which PostgreSQL tests
 * need (they are skipped without it). Tests use fresh bus names, so data earlier tests or runs left
 * does not matter.
 */
final class TestDatabases {

    /** A JDBC URL such as {@code jdbc:postgresql://127.0.0.1:5432/signalbus_test?user=postgres}. */
    static final String POSTGRES_URL = "SIGNAL_BUS_TEST_POSTGRES_URL";

    private static DataSource h2;
    private static DataSource postgres;

    private TestDatabases() {
    }

    /** One in-memory H2 database for the whole test run. */
    static synchronized DataSource h2() {
        if (h2 == null) {
            h2 = migrated(pool("jdbc:h2:mem:signalbus;DB_CLOSE_DELAY=-1"));
        }
        return h2;
    }

    /** The PostgreSQL test database; a pool shared by the whole test run. */
    static synchronized DataSource postgres() {
        if (postgres == null) {
            postgres = newPostgresPool(30);
        }
        return postgres;
    }

    /** A new migrated pool of its own on the PostgreSQL test database; dispose it when done. */
    static JdbcConnectionPool newPostgresPool(int maxConnections) {
        String url = System.getenv(POSTGRES_URL);
        if (url == null || url.isBlank()) {
            throw new IllegalStateException(POSTGRES_URL + " is not set");
        }
        var connections = new PGConnectionPoolDataSource();
        connections.setURL(url);
        JdbcConnectionPool pool = JdbcConnectionPool.create(connections);
        pool.setMaxConnections(maxConnections);
        return migrated(pool);
    }

    /** The URL of a new H2 file database under {@code target/}, with H2's default settings. */
    static String newH2FileUrl() {
        Path file = Path.of("target", "h2-databases", UUID.randomUUID().toString(), "signalbus");
        return "jdbc:h2:file:" + file.toAbsolutePath();
    }

    /** A pool of H2 connections; dispose it to close the database. */
    static JdbcConnectionPool pool(String h2Url) {
        JdbcConnectionPool pool = JdbcConnectionPool.create(h2Url, "sa", "");
        pool.setMaxConnections(30);
        return pool;
    }

    /**
     * {@code dataSource} as a pool configured with auto-commit off hands it out: every connection in
     * manual-commit mode, and what was not committed rolled back when it is closed (as HikariCP does),
     * so that only work its user committed stays.
     */
    static DataSource withAutoCommitOff(DataSource dataSource) {
        return new DelegatingDataSource(dataSource) {
            @Override
            public Connection getConnection() throws SQLException {
                Connection connection = super.getConnection();
                connection.setAutoCommit(false);
                return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                        new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                            if (method.getName().equals("close")) {
                                connection.rollback();
                            }
                            try {
                                return method.invoke(connection, args);
                            } catch (InvocationTargetException e) {
                                throw e.getCause();
                            }
                        });
            }
        };
    }

    static <T extends DataSource> T migrated(T dataSource) {
        SignalBusSchema.migrate(dataSource);
        return dataSource;
    }
}
