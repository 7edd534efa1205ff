package io.signalbus.jdbc;

import java.util.UUID;
import org.h2.jdbcx.JdbcConnectionPool;

class H2TransactionalPublishStressTest extends TransactionalPublishStressTest {

    /** An in-memory database of its own, dropped when the pool closes its last connection. */
    @Override
    JdbcConnectionPool pool(int maxConnections) {
        JdbcConnectionPool pool = TestDatabases.pool("jdbc:h2:mem:stress-" + UUID.randomUUID());
        pool.setMaxConnections(maxConnections);
        return TestDatabases.migrated(pool);
    }
}
