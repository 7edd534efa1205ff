package io.signalbus.jdbc;

import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

@EnabledIfEnvironmentVariable(named = TestDatabases.POSTGRES_URL, matches = ".+")
class PostgresTransactionalPublishStressTest extends TransactionalPublishStressTest {

    @Override
    JdbcConnectionPool pool(int maxConnections) {
        return TestDatabases.newPostgresPool(maxConnections);
    }
}
