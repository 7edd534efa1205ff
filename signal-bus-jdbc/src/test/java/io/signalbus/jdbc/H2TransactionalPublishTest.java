package io.signalbus.jdbc;

import javax.sql.DataSource;

class H2TransactionalPublishTest extends TransactionalPublishTest {

    @Override
    DataSource dataSource() {
        return TestDatabases.h2();
    }
}
