package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import javax.sql.DataSource;
import org.h2.jdbcx.JdbcConnectionPool;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/** Issue 3 item 6: on an H2 file database the store makes every commit reach the file (WRITE_DELAY 0). */
class H2WriteDelayTest {

    @Test
    void theStoreSetsWriteDelayToZeroOnAnH2FileDatabase() {
        JdbcConnectionPool pool = TestDatabases.migrated(TestDatabases.pool(TestDatabases.newH2FileUrl()));
        try {
            assertThat(writeDelay(pool)).isEqualTo(500);

            new JdbcSignalStore(pool).close();

            assertThat(writeDelay(pool)).isZero();
        } finally {
            pool.dispose();
        }
    }

    @Test
    void aStoreStartingOnAReopenedDatabaseSetsItAgainBecauseH2ResetsIt() {
        String url = TestDatabases.newH2FileUrl();
        JdbcConnectionPool first = TestDatabases.migrated(TestDatabases.pool(url));
        new JdbcSignalStore(first).close();
        first.dispose();

        JdbcConnectionPool reopened = TestDatabases.pool(url);
        try {
            assertThat(writeDelay(reopened)).isEqualTo(500);
            new JdbcSignalStore(reopened).close();
            assertThat(writeDelay(reopened)).isZero();
        } finally {
            reopened.dispose();
        }
    }

    @Test
    void anInMemoryH2DatabaseNeedsNoWriteDelaySetting() {
        new JdbcSignalStore(TestDatabases.h2()).close();

        assertThat(writeDelay(TestDatabases.h2())).isZero();
    }

    /** The write delay in effect; once set, H2 also lists the value stored with the database. */
    private static int writeDelay(DataSource dataSource) {
        Integer value = new JdbcTemplate(dataSource).queryForObject(
                "SELECT MAX(CAST(setting_value AS INT)) FROM information_schema.settings"
                        + " WHERE setting_name = 'WRITE_DELAY'",
                Integer.class);
        return value == null ? -1 : value;
    }
}
