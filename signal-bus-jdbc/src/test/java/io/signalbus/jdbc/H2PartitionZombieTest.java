package io.signalbus.jdbc;

import javax.sql.DataSource;

class H2PartitionZombieTest extends PartitionZombieTest {

    @Override
    DataSource dataSource() {
        return TestDatabases.h2();
    }
}
