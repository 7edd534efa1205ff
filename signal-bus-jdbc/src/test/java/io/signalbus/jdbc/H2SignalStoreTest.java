package io.signalbus.jdbc;

import javax.sql.DataSource;

class H2SignalStoreTest extends JdbcSignalStoreContractTest {

    @Override
    DataSource dataSource() {
        return TestDatabases.h2();
    }
}
