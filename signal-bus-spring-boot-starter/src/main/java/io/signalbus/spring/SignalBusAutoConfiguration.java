package io.signalbus.spring;

import io.signalbus.PublishInterceptor;
import io.signalbus.SignalBus;
import io.signalbus.SignalBusBuilder;
import io.signalbus.SignalBusListener;
import io.signalbus.jdbc.JdbcSignalStore;
import io.signalbus.jdbc.SignalBusSchema;
import io.signalbus.json.SignalJson;
import io.signalbus.store.InMemorySignalStore;
import io.signalbus.store.SignalStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.ConfigurationPropertiesBinding;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.jdbc.EmbeddedDatabaseConnection;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.boot.sql.init.dependency.DependsOnDatabaseInitialization;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.util.ClassUtils;
import tools.jackson.databind.json.JsonMapper;

/**
 * Auto-configuration of signal-bus: a store (JDBC on the application's DataSource, else in memory),
 * the {@code default} bus and those under {@code signal-bus.buses.<name>}, and {@link SignalListener}
 * methods. Every bean backs off when the application defines its own.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
        "org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration",
        "org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration",
        "org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration" })
@ConditionalOnBooleanProperty(name = "signal-bus.enabled", matchIfMissing = true)
@EnableConfigurationProperties(SignalBusProperties.class)
@Import(SignalBusAutoConfiguration.JdbcStoreConfiguration.class)
public class SignalBusAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(SignalBusAutoConfiguration.class);

    /** The name of the bus that {@code @SignalListener} and an unqualified {@code SignalBus} use. */
    public static final String DEFAULT_BUS = "default";

    /** Static, so that it is there when the properties are bound. */
    @Bean
    @ConfigurationPropertiesBinding
    static StartFromConverter signalBusStartFromConverter() {
        return new StartFromConverter();
    }

    /** Static, so that it is there when the properties are bound. */
    @Bean
    @ConfigurationPropertiesBinding
    static InitializationModeConverter signalBusInitializationModeConverter() {
        return new InitializationModeConverter();
    }

    /**
     * The codec of signal data on the application's {@code JsonMapper} (when there is one): data is
     * written to the log, read back and converted for {@link SignalListener} methods by one mapper, so
     * that its naming strategy and modules apply both ways, live and on redelivery from the log.
     */
    @Bean
    @ConditionalOnMissingBean
    SignalJson signalBusCodec(ObjectProvider<JsonMapper> jsonMapper) {
        return new SignalJson(jsonMapper.getIfAvailable(SignalJson::defaultMapper));
    }

    @Bean
    @ConditionalOnMissingBean
    SignalBuses signalBuses(SignalStore store, SignalJson codec, SignalBusProperties properties,
            ObjectProvider<SignalBusListener> listeners, ObjectProvider<PublishInterceptor> interceptors,
            ObjectProvider<SignalBusCustomizer> customizers) {
        Set<String> names = new LinkedHashSet<>();
        names.add(DEFAULT_BUS);
        names.addAll(properties.getBuses().keySet());
        List<SignalBus> buses = new ArrayList<>();
        for (String name : names) {
            SignalBusBuilder builder = SignalBus.builder().name(name).store(store).codec(codec);
            properties.applyTo(builder, name);
            listeners.orderedStream().forEach(builder::listener);
            interceptors.orderedStream().forEach(builder::interceptor);
            customizers.orderedStream().forEach(c -> c.customize(name, builder));
            buses.add(builder.build());
        }
        log.info("signal-bus started buses {} on {}", names, store.getClass().getSimpleName());
        return new SignalBuses(buses);
    }

    /** The default bus; other buses come from {@link SignalBuses#get(String)}. */
    @Bean(name = { "signalBus", DEFAULT_BUS })
    @Primary
    @ConditionalOnMissingBean(SignalBus.class)
    SignalBus signalBus(SignalBuses buses) {
        return buses.get(DEFAULT_BUS);
    }

    /**
     * Without a DataSource (or with {@code signal-bus.store=memory}): signals live in memory only. A
     * bean method of this class, so it is registered after the imported JDBC configuration.
     */
    @Bean
    @ConditionalOnMissingBean(SignalStore.class)
    InMemorySignalStore inMemorySignalStore(SignalBusProperties properties) {
        if (properties.getStore() == SignalBusProperties.StoreType.JDBC) {
            throw new NoDataSourceException();
        }
        log.warn("signal-bus is using the in-memory store: signals and checkpoints are lost when the JVM exits"
                + " (add a DataSource for a durable log)");
        return new InMemorySignalStore();
    }

    @Bean
    @ConditionalOnProperty(name = "signal-bus.retention")
    @ConditionalOnMissingBean
    SignalBusRetention signalBusRetention(SignalBuses buses, SignalBusProperties properties) {
        // set: the bean's condition
        return new SignalBusRetention(buses, Objects.requireNonNull(properties.getRetention(), "signal-bus.retention"),
                properties.getRetentionInterval(), Clock.systemUTC());
    }

    @Bean
    static SignalBusBeanRegistrar signalBusBeanRegistrar(Environment environment) {
        return new SignalBusBeanRegistrar(environment);
    }

    @Bean
    static SignalListenerRegistrar signalListenerRegistrar() {
        return new SignalListenerRegistrar();
    }

    /** The durable store of signal-bus-jdbc on the application's DataSource, with its own Flyway migrations. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(JdbcTemplate.class)
    @ConditionalOnSingleCandidate(DataSource.class)
    @Conditional(StoreIsNotMemory.class)
    static class JdbcStoreConfiguration {

        @Bean
        @ConditionalOnMissingBean(SignalStore.class)
        @DependsOnDatabaseInitialization
        JdbcSignalStore jdbcSignalStore(DataSource dataSource, SignalJson codec, SignalBusProperties properties) {
            warnIfInMemory(dataSource);
            if (initializesSchema(properties.getJdbc().getInitializeSchema(), dataSource)) {
                SignalBusSchema.migrate(dataSource);
            }
            Duration pollInterval = properties.getPollInterval();
            return JdbcSignalStore.builder(dataSource)
                    .codec(codec)
                    .pollInterval(pollInterval != null ? pollInterval : SignalBusBuilder.DEFAULT_POLL_INTERVAL)
                    .publishTimeout(properties.getPublishTimeout())
                    .queryTimeout(properties.getJdbc().getQueryTimeout())
                    .notifications(properties.getJdbc().isNotify())
                    .build();
        }
    }

    /** The durable store on a database that lives in memory is no more durable than the in-memory store. */
    static void warnIfInMemory(DataSource dataSource) {
        String url;
        try (Connection connection = dataSource.getConnection()) {
            url = connection.getMetaData().getURL();
        } catch (SQLException e) {
            return; // the store reports the database's failures
        }
        if (url != null && isInMemory(url)) {
            log.warn("signal-bus stores its log in an in-memory database ({}): signals and checkpoints are lost when"
                    + " the JVM exits (with H2 on the class path and no spring.datasource.url, Boot creates such a"
                    + " database); set spring.datasource.url to a file or server database for a durable log",
                    url.split(";", 2)[0]);
        }
    }

    static boolean isInMemory(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        return lower.startsWith("jdbc:h2:mem:") || lower.startsWith("jdbc:hsqldb:mem:")
                || lower.startsWith("jdbc:derby:memory:");
    }

    /** Whether {@code mode} creates the tables in this database; embedded as Boot's script initializers judge it. */
    static boolean initializesSchema(DatabaseInitializationMode mode, DataSource dataSource) {
        return switch (mode) {
            case ALWAYS -> true;
            case NEVER -> false;
            case EMBEDDED -> ClassUtils.isPresent("org.springframework.boot.jdbc.EmbeddedDatabaseConnection", null)
                    && EmbeddedDatabaseConnection.isEmbedded(dataSource);
        };
    }

    /** JDBC unless {@code signal-bus.store=memory}. */
    static class StoreIsNotMemory extends SpringBootCondition {

        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            String store = context.getEnvironment().getProperty("signal-bus.store", "auto");
            return "memory".equalsIgnoreCase(store.trim())
                    ? ConditionOutcome.noMatch("signal-bus.store is memory")
                    : ConditionOutcome.match("signal-bus.store is " + store);
        }
    }
}
