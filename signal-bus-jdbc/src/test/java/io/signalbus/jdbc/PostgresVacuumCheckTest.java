package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.slf4j.LoggerFactory;

/**
 * What the start-up check reads from PostgreSQL: the staging table's own autovacuum option, and the
 * server's settings, for the tables the store's statements find.
 */
@EnabledIfEnvironmentVariable(named = TestDatabases.POSTGRES_URL, matches = ".+")
class PostgresVacuumCheckTest {

    private final PostgresTestSchema schema = new PostgresTestSchema(System.getenv(TestDatabases.POSTGRES_URL));

    @AfterEach
    void dropSchema() {
        schema.close();
    }

    @Test
    void aStagingTableWithAutovacuumDisabledIsWarnedOf() {
        schema.jdbc.execute("ALTER TABLE signal_bus_pending SET (autovacuum_enabled = off)");

        assertThat(VacuumCheck.warning(schema.jdbc)).contains("signal_bus_pending has autovacuum_enabled = false");
    }

    @Test
    void aStoreStartingOnSuchATableLogsTheWarningOnce() {
        schema.jdbc.execute("ALTER TABLE signal_bus_pending SET (autovacuum_enabled = off)");
        var logger = (Logger) LoggerFactory.getLogger(VacuumCheck.class);
        Level configured = logger.getLevel();
        var appender = new ListAppender<ILoggingEvent>();
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(Level.WARN);
        try (var store = new JdbcSignalStore(schema.dataSource)) {
            assertThat(appender.list).singleElement().satisfies(event -> {
                assertThat(event.getLevel()).isEqualTo(Level.WARN);
                assertThat(event.getFormattedMessage()).contains("autovacuum_enabled = false");
            });
        } finally {
            logger.detachAppender(appender);
            logger.setLevel(configured);
        }
    }

    @Test
    void withTheTableOptionResetTheWarningFollowsTheServersSettings() {
        schema.jdbc.execute("ALTER TABLE signal_bus_pending SET (autovacuum_enabled = off)");
        schema.jdbc.execute("ALTER TABLE signal_bus_pending RESET (autovacuum_enabled)");
        boolean serverVacuums = Boolean.TRUE.equals(schema.jdbc.queryForObject(
                "SELECT current_setting('autovacuum')::boolean AND current_setting('track_counts')::boolean",
                Boolean.class));

        String warning = VacuumCheck.warning(schema.jdbc);

        if (serverVacuums) {
            assertThat(warning).isNull();
        } else {
            assertThat(warning).contains("the server's").doesNotContain("autovacuum_enabled");
        }
    }

    @Test
    void withoutAStagingTableThereIsNothingToWarnOf() {
        try (var empty = PostgresTestSchema.empty(System.getenv(TestDatabases.POSTGRES_URL))) {
            assertThat(VacuumCheck.warning(empty.jdbc)).isNull();
        }
    }
}
