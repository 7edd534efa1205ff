package io.signalbus.spring;

import java.util.Locale;
import java.util.Map;
import org.apache.commons.logging.Log;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.DeferredLogFactory;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * Adds {@code ;DB_CLOSE_ON_EXIT=FALSE} to an embedded H2 file URL in {@code spring.datasource.url}
 * that does not set it, as Boot does for the H2 databases it creates itself. Otherwise H2 closes the
 * database from its own JVM shutdown hook, which runs at the same time as Boot's: the bus then
 * cannot write its last checkpoints or release its claims ("Database is already closed"), and after
 * a restart its subscriptions wait on STANDBY until the old lease runs out. With the setting, the
 * database closes when the context closes the pool, after the buses. In-memory, server
 * ({@code tcp:}, {@code ssl:}) and {@code zip:} URLs are left alone, and so is everything when
 * signal-bus is disabled or uses the in-memory store. Registered in {@code META-INF/spring.factories}.
 */
class H2CloseOnExitEnvironmentPostProcessor implements EnvironmentPostProcessor, Ordered {

    static final String URL = "spring.datasource.url";
    private static final String SETTING = "DB_CLOSE_ON_EXIT";

    private final Log log;

    H2CloseOnExitEnvironmentPostProcessor(DeferredLogFactory logs) {
        this.log = logs.getLog(H2CloseOnExitEnvironmentPostProcessor.class);
    }

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!environment.getProperty("signal-bus.enabled", Boolean.class, true)
                || "memory".equalsIgnoreCase(environment.getProperty("signal-bus.store", "auto").trim())) {
            return;
        }
        String url = environment.getProperty(URL);
        String closingWithTheContext = closingWithTheContext(url);
        if (closingWithTheContext != null) {
            environment.getPropertySources().addFirst(new MapPropertySource("signal-bus-h2-close-on-exit",
                    Map.of(URL, closingWithTheContext)));
            log.info("signal-bus added ;" + SETTING + "=FALSE to the H2 URL of " + URL + ", so that the buses"
                    + " release their claims before H2 closes on shutdown (set " + SETTING + " in the URL to decide"
                    + " yourself)");
        }
    }

    /** The URL with {@code DB_CLOSE_ON_EXIT=FALSE} added, or null when it needs nothing. */
    static @Nullable String closingWithTheContext(@Nullable String url) {
        if (url == null || !url.regionMatches(true, 0, "jdbc:h2:", 0, 8)) {
            return null;
        }
        String rest = url.substring(8).toLowerCase(Locale.ROOT);
        if (rest.startsWith("mem:") || rest.startsWith("tcp:") || rest.startsWith("ssl:") || rest.startsWith("zip:")
                || url.toUpperCase(Locale.ROOT).contains(SETTING)) {
            return null;
        }
        return url + ";" + SETTING + "=FALSE";
    }

    /** After the application's configuration files are read. */
    @Override
    public int getOrder() {
        return Ordered.LOWEST_PRECEDENCE;
    }
}
