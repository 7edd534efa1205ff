package io.signalbus.spring;

import io.signalbus.InvalidOptionException;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.diagnostics.FailureAnalyzer;
import org.springframework.core.Ordered;
import org.springframework.util.ClassUtils;

/**
 * Explains signal-bus's startup failures in a few lines instead of a chain of bean creation
 * exceptions: {@code signal-bus.store=jdbc} without a DataSource, an invalid {@code signal-bus.*}
 * value ({@link InvalidOptionException} while binding, naming the property, its value and where it was
 * set), an invalid {@code @SignalListener} attribute, and a bus name that is not configured. Registered
 * in {@code META-INF/spring.factories}; ordered before Boot's own analyzers so that a binding failure
 * shows signal-bus's reason rather than Boot's generic one.
 */
class SignalBusFailureAnalyzer implements FailureAnalyzer, Ordered {

    private static final String PROPERTIES = "See the Properties section of the signal-bus README for every"
            + " setting and its range.";

    @Override
    public @Nullable FailureAnalysis analyze(Throwable failure) {
        NoDataSourceException noDataSource = findCause(failure, NoDataSourceException.class);
        if (noDataSource != null) {
            return new FailureAnalysis("signal-bus is configured to store its log in a database"
                    + " (signal-bus.store=jdbc), but the application has no single DataSource bean.",
                    "Configure a DataSource (spring.datasource.url and a JDBC driver on the class path, or a"
                            + " DataSource bean; mark one @Primary if there are several), or set"
                            + " signal-bus.store=memory (signals are then lost when the JVM exits).", noDataSource);
        }
        InvalidOptionException invalid = findCause(failure, InvalidOptionException.class);
        if (invalid != null) {
            return analyzeInvalidOption(failure, invalid);
        }
        UnknownBusException unknownBus = findCause(failure, UnknownBusException.class);
        if (unknownBus != null) {
            return new FailureAnalysis("signal-bus: " + unknownBus.getMessage(),
                    "Add the bus under signal-bus.buses.<name>.* or correct the bus name where it is used"
                            + " (a @SignalListener's bus attribute, SignalBuses.get).", unknownBus);
        }
        return null;
    }

    private static FailureAnalysis analyzeInvalidOption(Throwable failure, InvalidOptionException invalid) {
        BindException bind = findCause(failure, BindException.class);
        if (bind == null) {
            return new FailureAnalysis("signal-bus refused an option: " + invalid.getMessage(),
                    "Correct the option (a @SignalListener attribute, SubscribeOptions or a SignalBus builder"
                            + " setting). " + PROPERTIES, invalid);
        }
        ConfigurationProperty property = bind.getProperty();
        String name = property != null ? property.getName().toString() : bind.getName().toString();
        StringBuilder description = new StringBuilder("Invalid value for ").append(name);
        if (property != null) {
            description.append(": '").append(property.getValue()).append('\'');
        }
        description.append("\n\n    Reason: ").append(invalid.getMessage());
        if (property != null && property.getOrigin() != null) {
            description.append("\n    Origin: ").append(property.getOrigin());
        }
        return new FailureAnalysis(description.toString(),
                "Correct " + name + ", or remove it to take the default. " + PROPERTIES, invalid);
    }

    private static <E extends Throwable> @Nullable E findCause(@Nullable Throwable failure, Class<E> type) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (ClassUtils.isAssignableValue(type, cause)) {
                return type.cast(cause);
            }
        }
        return null;
    }

    /** Before Boot's {@code BindFailureAnalyzer}, which would explain an invalid value less precisely. */
    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE + 100;
    }
}
