package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalbus.Signal;
import io.signalbus.SignalStoreException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.springframework.dao.QueryTimeoutException;

/**
 * The store's query timeout reaches the statements of group commit: an append that waits for a bus's
 * head row, locked by another transaction, is cancelled after the query timeout and fails having
 * written nothing, well within the publish timeout. PostgreSQL only: H2 gives up on a lock after its
 * own {@code LOCK_TIMEOUT} (2 s) whatever the query timeout.
 */
@EnabledIfEnvironmentVariable(named = TestDatabases.POSTGRES_URL, matches = ".+")
class PostgresStatementTimeoutTest {

    @Test
    void anAppendWaitingForALockedHeadFailsAfterTheQueryTimeoutHavingWrittenNothing() throws Exception {
        String bus = "timeout-" + UUID.randomUUID();
        try (var store = JdbcSignalStore.builder(TestDatabases.postgres()).queryTimeout(Duration.ofSeconds(1))
                .publishTimeout(Duration.ofSeconds(10)).build();
                Connection locker = TestDatabases.postgres().getConnection()) {
            store.append(bus, List.of(signal()), Instant.now());
            locker.setAutoCommit(false);
            try (PreparedStatement lock = locker.prepareStatement("SELECT position FROM signal_bus_head WHERE bus = ?"
                    + " FOR UPDATE")) {
                lock.setString(1, bus);
                lock.executeQuery().close();
            }

            long started = System.nanoTime();
            assertThatThrownBy(() -> store.append(bus, List.of(signal()), Instant.now()))
                    .isExactlyInstanceOf(SignalStoreException.class)
                    .hasCauseInstanceOf(QueryTimeoutException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
            locker.rollback();

            assertThat(store.head(bus)).isEqualTo(1);
            assertThat(store.append(bus, List.of(signal()), Instant.now())).hasSize(1);
        }
    }

    private static Signal signal() {
        return Signal.of("timeout.test", "statement-timeout-test", Map.of());
    }
}
