package io.signalbus.jdbc;

import javax.sql.DataSource;

class H2ConcurrentPublishGapTest extends ConcurrentPublishGapTest {

    @Override
    DataSource dataSource() {
        return TestDatabases.h2();
    }
}
