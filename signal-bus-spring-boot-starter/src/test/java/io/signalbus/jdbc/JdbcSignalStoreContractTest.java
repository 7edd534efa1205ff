package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalbus.InvalidSignalException;
import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import io.signalbus.store.SignalStore;
import io.signalbus.store.SignalStoreContractTest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The store contract plus what only the JDBC store promises; each database supplies its DataSource. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class JdbcSignalStoreContractTest extends SignalStoreContractTest {

    private JdbcSignalStore jdbcStore;

    abstract DataSource dataSource();

    @Override
    protected SignalStore store() {
        if (jdbcStore == null) {
            jdbcStore = new JdbcSignalStore(dataSource());
        }
        return jdbcStore;
    }

    @AfterAll
    void closeStore() {
        if (jdbcStore != null) {
            jdbcStore.close();
        }
    }

    @Test
    void aDuplicateIdAmongConcurrentAppendsFailsOnlyItsOwnCall() throws Exception {
        Signal existing = store.append(bus, List.of(signal("t.e", 0)), T0).get(0).signal();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            var calls = new ArrayList<Callable<List<RecordedSignal>>>();
            for (int i = 1; i <= 200; i++) {
                List<Signal> batch = i == 100 ? List.of(signal("t.e", i), existing) : List.of(signal("t.e", i));
                calls.add(() -> store.append(bus, batch, T0));
            }
            List<Future<List<RecordedSignal>>> results = threads.invokeAll(calls);

            int failed = 0;
            var positions = new ArrayList<Long>();
            for (int i = 0; i < results.size(); i++) {
                try {
                    results.get(i).get().forEach(r -> positions.add(r.position()));
                } catch (ExecutionException e) {
                    failed++;
                    assertThat(i).isEqualTo(99);
                    assertThat(e.getCause()).isInstanceOf(InvalidSignalException.class)
                            .hasMessageContaining(existing.id()).hasMessageContaining("position 1");
                }
            }
            assertThat(failed).isEqualTo(1);
            assertThat(positions).containsExactlyInAnyOrderElementsOf(
                    IntStream.rangeClosed(2, 200).mapToObj(Long::valueOf).toList());
            assertThat(store.head(bus)).isEqualTo(200);
        } finally {
            threads.shutdownNow();
        }
    }
}
