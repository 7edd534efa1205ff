package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.springframework.dao.DuplicateKeyException;

/**
 * V8 on a log that holds signals: an installation upgraded from V7 keeps every row, its unique key
 * is led by the id afterwards, and it still refuses an id twice in one bus (and allows it in two);
 * a store on tables without V8 is told to apply it.
 */
@EnabledIfEnvironmentVariable(named = TestDatabases.POSTGRES_URL, matches = ".+")
class PostgresLogIdFirstMigrationTest {

    private static final String INSERT = """
            INSERT INTO signal_bus_log (bus, position, signal_id, type, recorded_at, envelope)
            VALUES (?, ?, ?, 'order.created', now(), '{}')""";

    private PostgresTestSchema schema;

    @BeforeEach
    void logOfV7WithSignals() {
        schema = PostgresTestSchema.empty(System.getenv(TestDatabases.POSTGRES_URL));
        Flyway.configure().dataSource(schema.dataSource).locations(JdbcDialect.POSTGRESQL.migrationLocation())
                .table(SignalBusSchema.HISTORY_TABLE).target("7").load().migrate();
        for (int position = 1; position <= 100; position++) {
            schema.jdbc.update(INSERT, "orders", position, "id-" + position);
            schema.jdbc.update(INSERT, "payments", position, "id-" + position);
        }
    }

    @AfterEach
    void dropSchema() {
        schema.close();
    }

    @Test
    void upgradeKeepsTheSignalsAndLeadsTheUniqueKeyByTheId() {
        assertThat(uniqueKeyColumns()).as("before").isEqualTo("bus,signal_id");

        SignalBusSchema.migrate(schema.dataSource);

        assertThat(uniqueKeyColumns()).isEqualTo("signal_id,bus");
        assertThat(schema.jdbc.queryForObject("SELECT COUNT(*) FROM signal_bus_log", Long.class)).isEqualTo(200);
        assertThatThrownBy(() -> schema.jdbc.update(INSERT, "orders", 101, "id-7"))
                .isInstanceOf(DuplicateKeyException.class);
        schema.jdbc.update(INSERT, "audit", 1, "id-7");
    }

    @Test
    void aStoreOnTablesWithoutV8IsToldToApplyIt() {
        assertThat(LogKeyCheck.warning(schema.jdbc)).contains("V8__signal_bus_log_id_first.sql")
                .contains("led by 'bus'");

        SignalBusSchema.migrate(schema.dataSource);

        assertThat(LogKeyCheck.warning(schema.jdbc)).isNull();
    }

    /** The columns of the log's unique key on signal ids, in index order. */
    private String uniqueKeyColumns() {
        return schema.jdbc.queryForObject("""
                SELECT string_agg(a.attname, ',' ORDER BY k.ord)
                FROM pg_constraint c JOIN pg_index i ON i.indexrelid = c.conindid
                CROSS JOIN unnest(i.indkey) WITH ORDINALITY AS k (attnum, ord)
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                WHERE c.conname = 'signal_bus_log_signal_id_uk' AND c.connamespace = current_schema()::regnamespace""",
                String.class);
    }
}
