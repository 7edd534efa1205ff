package io.signalbus.spring;

import java.util.Locale;
import org.springframework.boot.sql.init.DatabaseInitializationMode;
import org.springframework.core.convert.converter.Converter;

/**
 * Reads {@code signal-bus.jdbc.initialize-schema}: {@code always}, {@code embedded} or {@code never},
 * and also {@code true} ({@code always}) and {@code false} ({@code never}), its values when it was a
 * boolean. Registered for configuration properties binding, so it reads every
 * {@link DatabaseInitializationMode} property; for the three modes it does what Boot does.
 */
class InitializationModeConverter implements Converter<String, DatabaseInitializationMode> {

    @Override
    public DatabaseInitializationMode convert(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "true", "always" -> DatabaseInitializationMode.ALWAYS;
            case "false", "never" -> DatabaseInitializationMode.NEVER;
            case "embedded" -> DatabaseInitializationMode.EMBEDDED;
            default -> throw new IllegalArgumentException("'" + text + "' is no initialization mode: use always,"
                    + " embedded or never");
        };
    }
}
