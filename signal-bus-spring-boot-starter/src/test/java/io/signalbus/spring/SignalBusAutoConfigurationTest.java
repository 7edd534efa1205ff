package io.signalbus.spring;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalbus.PublishInterceptor;
import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.SignalBusListener;
import io.signalbus.SubscribeOptions;
import io.signalbus.jdbc.JdbcSignalStore;
import io.signalbus.store.InMemorySignalStore;
import io.signalbus.store.SignalStore;
import io.signalbus.store.SubscriptionRecord;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class SignalBusAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(SignalBusAutoConfiguration.class));

    @Test
    void withoutADataSourceTheDefaultBusRunsOnTheInMemoryStore() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(SignalStore.class);
            assertThat(context).getBean(SignalStore.class).isInstanceOf(InMemorySignalStore.class);
            assertThat(context).hasSingleBean(SignalBuses.class);
            assertThat(context.getBean(SignalBus.class).name()).isEqualTo("default");
            assertThat(context.getBean("default")).isSameAs(context.getBean("signalBus"));
        });
    }

    private ApplicationContextRunner withH2() {
        return runner.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class))
                .withPropertyValues("spring.datasource.url=jdbc:h2:mem:autoconfig-" + java.util.UUID.randomUUID()
                        + ";DB_CLOSE_DELAY=-1");
    }

    private static boolean tableExists(javax.sql.DataSource dataSource, String table) {
        Integer count = new org.springframework.jdbc.core.JdbcTemplate(dataSource).queryForObject(
                "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE LOWER(TABLE_NAME) = ?", Integer.class, table);
        return count != null && count > 0;
    }

    @Test
    void withADataSourceTheLogIsStoredInItsDatabaseWithTheStartersOwnMigrations() {
        withH2().run(context -> {
            assertThat(context).getBean(SignalStore.class).isInstanceOf(JdbcSignalStore.class);
            javax.sql.DataSource dataSource = context.getBean(javax.sql.DataSource.class);
            assertThat(tableExists(dataSource, "signal_bus_log")).isTrue();
            assertThat(tableExists(dataSource, "signal_bus_schema_history")).isTrue();
            assertThat(tableExists(dataSource, "flyway_schema_history")).isFalse();

            context.getBean(SignalBus.class).publish(Signal.of("a.b", "test", null));
            assertThat(context.getBean(SignalStore.class).head("default")).isEqualTo(1);
        });
    }

    @Test
    void initializeSchemaNeverOrFalseLeavesTheDatabaseAlone() {
        for (String never : List.of("never", "false")) {
            withH2().withPropertyValues("signal-bus.jdbc.initialize-schema=" + never).run(context -> {
                assertThat(context).getBean(SignalStore.class).isInstanceOf(JdbcSignalStore.class);
                assertThat(context.getBean(SignalBusProperties.class).getJdbc().getInitializeSchema())
                        .isEqualTo(DatabaseInitializationMode.NEVER);
                assertThat(tableExists(context.getBean(javax.sql.DataSource.class), "signal_bus_schema_history"))
                        .isFalse();
            });
        }
    }

    @Test
    void initializeSchemaIsAlwaysByDefaultAndTrueStillMeansAlways() {
        runner.run(context -> assertThat(context.getBean(SignalBusProperties.class).getJdbc().getInitializeSchema())
                .isEqualTo(DatabaseInitializationMode.ALWAYS));
        runner.withPropertyValues("signal-bus.jdbc.initialize-schema=TRUE").run(context -> assertThat(
                context.getBean(SignalBusProperties.class).getJdbc().getInitializeSchema())
                .isEqualTo(DatabaseInitializationMode.ALWAYS));
        runner.withPropertyValues("signal-bus.jdbc.initialize-schema=sometimes").run(context -> assertThat(context)
                .getFailure().rootCause().hasMessageContaining("'sometimes' is no initialization mode"));
    }

    @Test
    void initializeSchemaEmbeddedCreatesTheTablesOnlyInAnEmbeddedDatabase() {
        withH2().withPropertyValues("signal-bus.jdbc.initialize-schema=embedded").run(context ->
                assertThat(tableExists(context.getBean(javax.sql.DataSource.class), "signal_bus_log")).isTrue());
        var file = new org.springframework.jdbc.datasource.DriverManagerDataSource(
                "jdbc:h2:file:./target/not-embedded-" + java.util.UUID.randomUUID());
        assertThat(SignalBusAutoConfiguration.initializesSchema(DatabaseInitializationMode.EMBEDDED, file)).isFalse();
        assertThat(SignalBusAutoConfiguration.initializesSchema(DatabaseInitializationMode.ALWAYS, file)).isTrue();
    }

    @Test
    void storeMemoryKeepsSignalsInMemoryEvenWithADataSource() {
        withH2().withPropertyValues("signal-bus.store=memory").run(context ->
                assertThat(context).getBean(SignalStore.class).isInstanceOf(InMemorySignalStore.class));
    }

    @Test
    void backsOffWhenTheApplicationDefinesItsOwnStoreAndBus() {
        runner.withUserConfiguration(OwnBeans.class).run(context -> {
            assertThat(context).hasSingleBean(SignalStore.class);
            assertThat(context.getBean(SignalStore.class)).isSameAs(OwnBeans.STORE);
            assertThat(context).hasSingleBean(SignalBus.class);
            assertThat(context.getBean(SignalBus.class).name()).isEqualTo("mine");
        });
    }

    @Test
    void disabledCreatesNothing() {
        runner.withPropertyValues("signal-bus.enabled=false").run(context -> {
            assertThat(context).doesNotHaveBean(SignalBus.class);
            assertThat(context).doesNotHaveBean(SignalStore.class);
        });
    }

    @Test
    void furtherBusesComeFromPropertiesAsBeansNamedAfterThem() {
        runner.withPropertyValues("signal-bus.buses.audit.max-in-flight=7", "signal-bus.buses.dead_letters.max-attempts=2")
                .run(context -> {
                    SignalBuses buses = context.getBean(SignalBuses.class);
                    assertThat(buses.names()).containsExactly("default", "audit", "dead_letters");
                    assertThat(context.getBean("audit", SignalBus.class).name()).isEqualTo("audit");
                    assertThat(context.getBean("dead_letters", SignalBus.class)).isSameAs(buses.get("dead_letters"));
                    assertThat(context.getBean(SignalBus.class).name()).isEqualTo("default");

                    buses.get("audit").subscribe("a.b", SubscribeOptions.persistent("p"), d -> { });
                    SubscriptionRecord record = context.getBean(SignalStore.class).findSubscription("audit", "p")
                            .orElseThrow();
                    assertThat(record.maxInFlight()).isEqualTo(7);
                    assertThat(record.maxAttempts()).isEqualTo(5);
                });
    }

    @Test
    void propertiesSetTheDefaultsOfEverySubscription() {
        runner.withPropertyValues("signal-bus.max-in-flight=50", "signal-bus.max-attempts=3",
                "signal-bus.ack-timeout=5s").run(context -> {
                    context.getBean(SignalBus.class).subscribe("a.b", SubscribeOptions.persistent("p"), d -> { });
                    SubscriptionRecord record = context.getBean(SignalStore.class).findSubscription("default", "p")
                            .orElseThrow();
                    assertThat(record.maxInFlight()).isEqualTo(50);
                    assertThat(record.maxAttempts()).isEqualTo(3);
                    assertThat(record.ackTimeout()).isEqualTo(Duration.ofSeconds(5));
                });
    }

    @Test
    void anInvalidStartFromPropertyFailsTheStartupNamingTheValue() {
        runner.withPropertyValues("signal-bus.start-from=yesterday").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("'yesterday'");
        });
    }

    @Test
    void theStoreTakesItsTimeoutsFromThePropertiesAndRejectsNonPositiveOnes() {
        withH2().withPropertyValues("signal-bus.publish-timeout=3s", "signal-bus.jdbc.query-timeout=2s")
                .run(context -> assertThat(context).hasNotFailed().hasSingleBean(JdbcSignalStore.class));
        withH2().withPropertyValues("signal-bus.publish-timeout=0s").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("signal-bus.publish-timeout");
        });
        withH2().withPropertyValues("signal-bus.jdbc.query-timeout=-1s").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("signal-bus.jdbc.query-timeout");
        });
    }

    @Test
    void retentionIsOffUnlessConfigured() {
        runner.run(context -> assertThat(context).doesNotHaveBean(SignalBusRetention.class));
    }

    @Test
    void retentionDeletesSignalsEverySubscriptionHasSettled() {
        runner.withPropertyValues("signal-bus.retention=1ms", "signal-bus.retention-interval=1h",
                "signal-bus.checkpoint.flush-count=1").run(context -> {
                    SignalBus bus = context.getBean(SignalBus.class);
                    SignalStore store = context.getBean(SignalStore.class);
                    bus.subscribe("a.b", SubscribeOptions.persistent("p"), io.signalbus.Delivery::ack);
                    bus.publish(Signal.of("a.b", "test", null), Signal.of("a.b", "test", null));
                    org.awaitility.Awaitility.await().until(() ->
                            store.findSubscription("default", "p").orElseThrow().checkpoint().position() == 2);

                    assertThat(context.getBean(SignalBusRetention.class).pruneNow()).isEqualTo(2);
                    assertThat(store.read("default", 0, 10)).isEmpty();
                    assertThat(store.head("default")).isEqualTo(2);
                });
    }

    @Test
    void jdbcStoreWithoutADataSourceFailsTheStartupWithAClearMessage() {
        runner.withPropertyValues("signal-bus.store=jdbc").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("signal-bus.store=jdbc")
                    .hasMessageContaining("DataSource");
        });
    }

    @Test
    void listenerAndInterceptorBeansAreAppliedToEveryBus() {
        runner.withUserConfiguration(Hooks.class).withPropertyValues("signal-bus.buses.audit.max-in-flight=1")
                .run(context -> {
                    SignalBuses buses = context.getBean(SignalBuses.class);
                    buses.get("default").publish(Signal.of("a.b", "test", null));
                    buses.get("audit").publish(Signal.of("a.b", "test", null));

                    assertThat(Hooks.PUBLISHED).containsExactly("default", "audit");
                    assertThat(buses.get("audit").replay("**", io.signalbus.ReplayOptions.fromOrigin()).get(0)
                            .signal().extensions()).containsEntry("tenant", "acme");
                });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnBeans {

        static final InMemorySignalStore STORE = new InMemorySignalStore();

        @Bean
        SignalStore myStore() {
            return STORE;
        }

        @Bean
        SignalBus myBus(SignalStore store) {
            return SignalBus.builder().name("mine").store(store).build();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class Hooks {

        static final List<String> PUBLISHED = new CopyOnWriteArrayList<>();

        @Bean
        SignalBusListener recordingListener() {
            return new SignalBusListener() {
                @Override
                public void published(String busName, List<io.signalbus.RecordedSignal> signals) {
                    PUBLISHED.add(busName);
                }
            };
        }

        @Bean
        PublishInterceptor tenantInterceptor() {
            return (bus, signal) -> signal.toBuilder().extension("tenant", "acme").build();
        }
    }
}
