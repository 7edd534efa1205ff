package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * The sequencing step takes the staged rows of its transactions by key, never by walking the bus's
 * staged rows: the staging table churns faster than autovacuum analyzes it (a new installation has
 * no statistics at all), and it holds deleted rows until vacuum removes them. The step's own
 * statement is planned by PostgreSQL as the sequencer sends it (parameters bound, planned for them)
 * in a schema of its own whose staging table is never analyzed nor vacuumed.
 */
@EnabledIfEnvironmentVariable(named = TestDatabases.POSTGRES_URL, matches = ".+")
class PostgresSequencingPlanTest {

    private static final String BUS = "orders";
    private static final int DEAD_ROWS = 30_000;
    private static final int TRANSACTIONS = 74;

    private PostgresTestSchema schema;
    private JdbcTemplate jdbc;

    @BeforeEach
    void schemaOfItsOwn() {
        schema = new PostgresTestSchema(System.getenv(TestDatabases.POSTGRES_URL));
        jdbc = schema.jdbc;
    }

    @AfterEach
    void dropSchema() {
        schema.close();
    }

    @Test
    void aStepReadsOnlyItsTransactionsRowsWhenTheStagingTableHasNoStatisticsAndManyDeletedRows() {
        jdbc.execute("ALTER TABLE signal_bus_pending SET (autovacuum_enabled = false)");
        jdbc.update("INSERT INTO signal_bus_head (bus, position) VALUES (?, 0)", BUS);
        stage(1, DEAD_ROWS, "moved-");
        jdbc.update("DELETE FROM signal_bus_pending");
        stage(DEAD_ROWS + 1, TRANSACTIONS, "committed-");
        Long[] keys = LongStream.rangeClosed(DEAD_ROWS + 1, DEAD_ROWS + TRANSACTIONS).boxed().toArray(Long[]::new);

        JsonNode plan = schema.explainAnalyzedAndRolledBack(new PostgresStatements().moveStaged(false, false),
                BUS, keys, BUS, keys, BUS);

        List<JsonNode> stagingScans = new ArrayList<>();
        collect(plan, stagingScans);
        assertThat(stagingScans).extracting(node -> node.path("Node Type").asString())
                .as("how the staging table is read").doesNotContain("Seq Scan").contains("Bitmap Index Scan");
        assertThat(stagingScans).filteredOn(node -> node.has("Index Name")).allSatisfy(node -> {
            assertThat(node.path("Index Name").asString()).isEqualTo("signal_bus_pending_tx_ix");
            assertThat(node.path("Actual Rows").asLong()).as("index entries read").isEqualTo(TRANSACTIONS);
        });
    }

    /** Stages {@code count} one-signal transactions, keys from {@code firstKey} on. */
    private void stage(long firstKey, int count, String idPrefix) {
        jdbc.update("""
                INSERT INTO signal_bus_pending (bus, tx_key, signal_id, type, recorded_at, created_at, envelope)
                SELECT ?, g, ? || g, 'order.created', now(), now(), repeat('x', 500)
                FROM generate_series(CAST(? AS BIGINT), CAST(? AS BIGINT)) g""", BUS, idPrefix, firstKey,
                firstKey + count - 1);
    }

    /** The plan nodes under {@code node} that read the staging table or one of its indexes. */
    private static void collect(JsonNode node, List<JsonNode> stagingScans) {
        if (node.path("Relation Name").asString("").equals("signal_bus_pending")
                || node.path("Index Name").asString("").startsWith("signal_bus_pending")) {
            stagingScans.add(node);
        }
        for (JsonNode child : node.path("Plans")) {
            collect(child, stagingScans);
        }
    }
}
