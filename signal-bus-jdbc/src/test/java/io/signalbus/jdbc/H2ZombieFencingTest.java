package io.signalbus.jdbc;

import javax.sql.DataSource;

class H2ZombieFencingTest extends ZombieFencingTest {

    @Override
    DataSource dataSource() {
        return TestDatabases.h2();
    }
}
