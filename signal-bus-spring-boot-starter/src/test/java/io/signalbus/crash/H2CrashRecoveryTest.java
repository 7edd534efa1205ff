package io.signalbus.crash;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;

/**
 * On the embedded default: a new H2 file database under {@code target/crash/}, with the plain URL a user
 * would put in {@code spring.datasource.url} (H2's default settings, in particular no
 * {@code WRITE_DELAY}): the store has to make commits survive a killed process by itself.
 */
class H2CrashRecoveryTest extends CrashRecoveryTest {

    private String url;

    @BeforeEach
    void newDatabase() {
        url = "jdbc:h2:file:" + workDirectory().resolve("db").resolve("signalbus");
    }

    @Override
    String jdbcUrl() {
        return url;
    }

    @Override
    List<String> dataSourceArguments() {
        return List.of("--spring.datasource.username=sa", "--spring.datasource.password=");
    }

    @Override
    Connection connect() throws SQLException {
        return DriverManager.getConnection(url, "sa", "");
    }

    @Override
    String variant() {
        return "h2";
    }
}
