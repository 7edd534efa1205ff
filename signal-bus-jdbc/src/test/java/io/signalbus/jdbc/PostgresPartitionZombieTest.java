package io.signalbus.jdbc;

import javax.sql.DataSource;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

@EnabledIfEnvironmentVariable(named = TestDatabases.POSTGRES_URL, matches = ".+")
class PostgresPartitionZombieTest extends PartitionZombieTest {

    @Override
    DataSource dataSource() {
        return TestDatabases.postgres();
    }
}
