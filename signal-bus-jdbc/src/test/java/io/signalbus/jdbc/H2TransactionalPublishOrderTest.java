package io.signalbus.jdbc;

import javax.sql.DataSource;

class H2TransactionalPublishOrderTest extends TransactionalPublishOrderTest {

    @Override
    DataSource dataSource() {
        return TestDatabases.h2();
    }

    @Override
    int signals() {
        return 20_000;
    }
}
