package io.signalbus.jdbc;

import javax.sql.DataSource;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/** 100,000 signals, as issue 10 asks. */
@EnabledIfEnvironmentVariable(named = TestDatabases.POSTGRES_URL, matches = ".+")
class PostgresTransactionalPublishOrderTest extends TransactionalPublishOrderTest {

    @Override
    DataSource dataSource() {
        return TestDatabases.postgres();
    }

    @Override
    int signals() {
        return Integer.getInteger("txorder.signals", 100_000);
    }
}
