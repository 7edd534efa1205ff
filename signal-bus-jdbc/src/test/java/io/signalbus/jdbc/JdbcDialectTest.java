package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JdbcDialectTest {

    @Test
    void theDialectIsChosenByTheDatabaseProductName() {
        assertThat(JdbcDialect.ofProductName("H2")).isEqualTo(JdbcDialect.H2);
        assertThat(JdbcDialect.ofProductName("PostgreSQL")).isEqualTo(JdbcDialect.POSTGRESQL);
        assertThat(JdbcDialect.of(TestDatabases.h2())).isEqualTo(JdbcDialect.H2);
    }

    @Test
    void anUnsupportedDatabaseIsRejectedByName() {
        assertThatThrownBy(() -> JdbcDialect.ofProductName("MySQL"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'MySQL'")
                .hasMessageContaining("H2 and PostgreSQL");
    }
}
