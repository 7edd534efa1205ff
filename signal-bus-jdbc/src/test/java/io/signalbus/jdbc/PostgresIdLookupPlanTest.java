package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;

/**
 * Every lookup of signal ids in the log reads the unique index led by the id, even when PostgreSQL's
 * statistics make the bus look rare: here they were taken while the log held only another bus's
 * rows, and the bus looked up has thousands since (as after a new bus, or a truncate). Given the bus
 * beside the id, PostgreSQL then took the primary key (bus, position) and read every row of the bus
 * for each id. Each statement is planned as the store sends it (parameters bound), in a schema of
 * its own whose log is never analyzed again.
 */
@EnabledIfEnvironmentVariable(named = TestDatabases.POSTGRES_URL, matches = ".+")
class PostgresIdLookupPlanTest {

    private static final String BUS = "orders";
    private static final String ID_INDEX = "signal_bus_log_signal_id_uk";
    private static final int ROWS = 3_000;

    private final PostgresStatements sql = new PostgresStatements();
    private final long now = JdbcMapping.micros(Instant.now());
    private PostgresTestSchema schema;
    private JdbcTemplate jdbc;

    @BeforeEach
    void logWhoseStatisticsKnowOnlyAnotherBus() {
        schema = new PostgresTestSchema(System.getenv(TestDatabases.POSTGRES_URL));
        jdbc = schema.jdbc;
        jdbc.execute("ALTER TABLE signal_bus_log SET (autovacuum_enabled = false)");
        appendToLog("other");
        jdbc.execute("ANALYZE signal_bus_log");
        appendToLog(BUS);
        jdbc.update("INSERT INTO signal_bus_head (bus, position) VALUES (?, ?)", BUS, ROWS);
    }

    @AfterEach
    void dropSchema() {
        schema.close();
    }

    @Test
    void stagingOneSignalLooksItsIdUpByTheIdIndex() {
        assertReadsTheLogByIdOnly(sql.insertPending(), BUS, 1L, "new-1", "order.created", now, now, "{}", "new-1",
                BUS);
    }

    @Test
    void stagingManySignalsLooksTheirIdsUpByTheIdIndex() {
        String[] ids = {"new-1", "new-2", BUS + "-7"};
        assertReadsTheLogByIdOnly(sql.insertPendingArray(), BUS, 1L, now, now, ids,
                new String[] {"t", "t", "t"}, new String[] {"{}", "{}", "{}"}, BUS);
    }

    @Test
    void findingThePositionOfAnIdReadsTheIdIndex() {
        assertReadsTheLogByIdOnly(sql.positionOfId(), BUS + "-7", BUS);
    }

    @Test
    void findingThePositionsOfIdsReadsTheIdIndex() {
        assertReadsTheLogByIdOnly(sql.positionsOfIds(2), new String[] {BUS + "-7", "new-1"}, BUS);
    }

    @Test
    void aStepCheckingItsIdsLooksThemUpByTheIdIndex() {
        jdbc.update("""
                INSERT INTO signal_bus_pending (bus, tx_key, signal_id, type, recorded_at, created_at, envelope)
                VALUES (?, 1, 'new-1', 't', now(), now(), '{}'), (?, 1, ?, 't', now(), now(), '{}')""",
                BUS, BUS, BUS + "-7");
        Long[] keys = {1L};

        assertReadsTheLogByIdOnly(sql.moveStaged(true, false), BUS, keys, BUS, keys, BUS, BUS);
    }

    private void appendToLog(String bus) {
        jdbc.update("""
                INSERT INTO signal_bus_log (bus, position, signal_id, type, recorded_at, envelope)
                SELECT ?, g, ? || '-' || g, 'order.created', now(), repeat('x', 300)
                FROM generate_series(1, ?) g""", bus, bus, ROWS);
    }

    /** Runs the statement under EXPLAIN ANALYZE (rolled back): the log is read by the id index only. */
    private void assertReadsTheLogByIdOnly(String statement, Object... parameters) {
        var logReads = new ArrayList<JsonNode>();
        collectLogReads(schema.explainAnalyzedAndRolledBack(statement, parameters), logReads);
        assertThat(logReads).as("reads of the log").extracting(node -> node.path("Node Type").asString())
                .doesNotContain("Seq Scan");
        assertThat(logReads).filteredOn(node -> node.has("Index Name")).as("index reads of the log").isNotEmpty()
                .allSatisfy(node -> assertThat(node.path("Index Name").asString()).isEqualTo(ID_INDEX));
        assertThat(logReads).allSatisfy(node -> assertThat(node.path("Rows Removed by Filter").asLong())
                .as("rows read and dropped").isZero());
    }

    /** The plan nodes under {@code node} that scan the log or one of its indexes (not the insert into it). */
    private static void collectLogReads(JsonNode node, List<JsonNode> reads) {
        boolean log = node.path("Relation Name").asString("").equals("signal_bus_log")
                || node.path("Index Name").asString("").startsWith("signal_bus_log");
        if (log && node.path("Node Type").asString("").contains("Scan")) {
            reads.add(node);
        }
        for (JsonNode child : node.path("Plans")) {
            collectLogReads(child, reads);
        }
    }
}
