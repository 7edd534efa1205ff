package io.signalbus.crash;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * On PostgreSQL, in a fresh schema of the database named by {@value #POSTGRES_URL} (the child's
 * {@code currentSchema}), so what earlier runs left does not matter; the schema is dropped afterwards.
 */
@EnabledIfEnvironmentVariable(named = PostgresCrashRecoveryTest.POSTGRES_URL, matches = ".+")
class PostgresCrashRecoveryTest extends CrashRecoveryTest {

    /** A JDBC URL such as {@code jdbc:postgresql://127.0.0.1:5432/signalbus_test?user=postgres}. */
    static final String POSTGRES_URL = "SIGNAL_BUS_TEST_POSTGRES_URL";

    private String schema;
    private String url;

    @BeforeEach
    void newSchema() throws SQLException {
        String base = System.getenv(POSTGRES_URL);
        schema = "crash_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
        try (Connection connection = DriverManager.getConnection(base);
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE SCHEMA " + schema);
        }
        url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    @Override
    void afterChildren() throws SQLException {
        try (Connection connection = DriverManager.getConnection(System.getenv(POSTGRES_URL));
                Statement statement = connection.createStatement()) {
            statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    @Override
    String jdbcUrl() {
        return url;
    }

    @Override
    List<String> dataSourceArguments() {
        return List.of();
    }

    @Override
    Connection connect() throws SQLException {
        return DriverManager.getConnection(url);
    }

    @Override
    String variant() {
        return "postgresql";
    }
}
