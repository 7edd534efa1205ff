package io.signalbus.jdbc;

import java.util.Locale;
import java.util.UUID;
import org.postgresql.ds.PGSimpleDataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A schema of its own on the test PostgreSQL, with the store's tables (or, {@link #empty}, none yet),
 * for tests of what PostgreSQL makes of the store's statements and migrations; dropped on
 * {@link #close}.
 */
final class PostgresTestSchema implements AutoCloseable {

    private final JdbcTemplate admin;
    private final String schema = "plan_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
            .toLowerCase(Locale.ROOT);
    /** Connections whose search path is the schema. */
    final PGSimpleDataSource dataSource = new PGSimpleDataSource();
    final JdbcTemplate jdbc;
    private final TransactionTemplate transaction;

    /** With the store's tables, migrated to the latest version. */
    PostgresTestSchema(String url) {
        this(url, true);
    }

    private PostgresTestSchema(String url, boolean migrate) {
        var adminSource = new PGSimpleDataSource();
        adminSource.setURL(url);
        admin = new JdbcTemplate(adminSource);
        admin.execute("CREATE SCHEMA " + schema);
        dataSource.setURL(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema);
        if (migrate) {
            SignalBusSchema.migrate(dataSource);
        }
        jdbc = new JdbcTemplate(dataSource);
        transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    /** Without tables. */
    static PostgresTestSchema empty(String url) {
        return new PostgresTestSchema(url, false);
    }

    /** The plan of the statement as PostgreSQL ran it for these parameters; what it did is rolled back. */
    JsonNode explainAnalyzedAndRolledBack(String statement, Object... parameters) {
        String json = transaction.execute(status -> {
            status.setRollbackOnly();
            return jdbc.query("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, rs -> {
                rs.next();
                return rs.getString(1);
            }, parameters);
        });
        return JsonMapper.builder().build().readTree(json).get(0).get("Plan");
    }

    @Override
    public void close() {
        admin.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
}
