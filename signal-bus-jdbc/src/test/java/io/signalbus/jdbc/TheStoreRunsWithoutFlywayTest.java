package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Flyway is an optional dependency of this module: only {@link SignalBusSchema} uses it, so a store
 * on tables created some other way starts and appends on a class path without Flyway. The test
 * loads the module, its dependencies and H2 again in a class loader that leaves the Flyway jars out;
 * the two share only the JDK's types ({@link DataSource}, {@link Connection}, {@link List}).
 */
class TheStoreRunsWithoutFlywayTest {

    @Test
    void aStoreOnTablesCreatedWithoutFlywayAppendsAndReads() throws Exception {
        try (var loader = new URLClassLoader(classPathWithoutFlyway(), ClassLoader.getPlatformClassLoader())) {
            assertThatThrownBy(() -> Class.forName("org.flywaydb.core.Flyway", false, loader))
                    .isInstanceOf(ClassNotFoundException.class);
            DataSource dataSource = h2(loader);
            try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
                // the migrations as plain scripts, run by H2 from the class path
                statement.execute("RUNSCRIPT FROM 'classpath:db/signal-bus/h2/V1__signal_bus.sql'");
                statement.execute("RUNSCRIPT FROM 'classpath:db/signal-bus/h2/V2__signal_bus_head_time.sql'");
            }

            Class<?> storeClass = loader.loadClass(JdbcSignalStore.class.getName());
            Object store = storeClass.getConstructor(DataSource.class).newInstance(dataSource);
            try {
                Object signal = loader.loadClass("io.signalbus.Signal")
                        .getMethod("of", String.class, String.class, Object.class)
                        .invoke(null, "order.created", "/orders", Map.of("order_id", "order-1"));
                List<?> recorded = (List<?>) storeClass.getMethod("append", String.class, List.class, Instant.class)
                        .invoke(store, "no-flyway", List.of(signal), Instant.now());

                assertThat(recorded).hasSize(1);
                assertThat(storeClass.getMethod("head", String.class).invoke(store, "no-flyway")).isEqualTo(1L);
            } finally {
                ((AutoCloseable) store).close();
            }
        }
    }

    /** The test class path (as Surefire passes it to the forked JVM) without the Flyway jars. */
    private static URL[] classPathWithoutFlyway() throws Exception {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        var urls = new ArrayList<URL>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (!entry.contains("flyway")) {
                urls.add(Path.of(entry).toUri().toURL());
            }
        }
        return urls.toArray(URL[]::new);
    }

    /** A new in-memory H2 database of the H2 that {@code loader} loads. */
    private static DataSource h2(ClassLoader loader) throws Exception {
        Class<?> type = loader.loadClass("org.h2.jdbcx.JdbcDataSource");
        Object dataSource = type.getConstructor().newInstance();
        type.getMethod("setURL", String.class)
                .invoke(dataSource, "jdbc:h2:mem:no-flyway-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        return (DataSource) dataSource;
    }
}
