package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.StartFrom;
import io.signalbus.SubscribeOptions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The store in plain Java, as an application without Spring Boot uses it: on a bare
 * {@link DataSource} of a new database (H2) or a new schema (PostgreSQL), with the schema created by
 * {@link SignalBusSchema}, under a bus from {@link SignalBus#builder()}. A persistent subscription
 * gets what was published, and its acks reach the subscription's row in the database.
 */
class AckedSignalsAreCheckpointedWithoutSpringTest {

    @Test
    void anH2DatabaseKeepsTheCheckpointOfAckedSignals() throws SQLException {
        var dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:plain-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");

        publishSubscribeAndAck(dataSource);
    }

    @Test
    @EnabledIfEnvironmentVariable(named = TestDatabases.POSTGRES_URL, matches = ".+")
    void aPostgresDatabaseKeepsTheCheckpointOfAckedSignals() throws SQLException {
        String url = System.getenv(TestDatabases.POSTGRES_URL);
        String schema = "plain_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
                .toLowerCase(Locale.ROOT);
        execute(url, "CREATE SCHEMA " + schema);
        try {
            var dataSource = new PGSimpleDataSource();
            dataSource.setURL(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema);

            publishSubscribeAndAck(dataSource);
        } finally {
            execute(url, "DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    private static void publishSubscribeAndAck(DataSource dataSource) throws SQLException {
        SignalBusSchema.migrate(dataSource);
        try (var store = new JdbcSignalStore(dataSource);
                SignalBus bus = SignalBus.builder().name("plain").store(store).build()) {
            bus.publish(order(1), order(2), order(3));

            bus.subscribe("order.**", SubscribeOptions.persistent("x").startFrom(StartFrom.origin()),
                    delivery -> delivery.ack());

            await().atMost(Duration.ofSeconds(10)).until(() -> storedCheckpoint(dataSource) == 3);
            assertThat(store.findSubscription("plain", "x")).hasValueSatisfying(
                    subscription -> assertThat(subscription.checkpoint().position()).isEqualTo(3));
        }
    }

    private static Signal order(int number) {
        return Signal.of("order.created", "/orders", Map.of("order_id", "order-" + number));
    }

    /** The checkpoint as the subscription's row holds it, read with plain JDBC. */
    private static long storedCheckpoint(DataSource dataSource) throws SQLException {
        try (Connection connection = dataSource.getConnection();
                PreparedStatement query = connection.prepareStatement("SELECT checkpoint_position"
                        + " FROM signal_bus_subscription WHERE bus = ? AND subscription_id = ?")) {
            query.setString(1, "plain");
            query.setString(2, "x");
            try (ResultSet rs = query.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    private static void execute(String url, String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url);
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
