package io.signalbus.jdbc;

import javax.sql.DataSource;

class H2BadStoredDataTest extends BadStoredDataTest {

    @Override
    DataSource dataSource() {
        return TestDatabases.h2();
    }
}
