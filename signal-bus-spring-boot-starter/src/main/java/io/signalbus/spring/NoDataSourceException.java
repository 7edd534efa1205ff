package io.signalbus.spring;

import io.signalbus.SignalBusException;

/** {@code signal-bus.store=jdbc}, but the application has no single {@code DataSource} bean to store the log in. */
public class NoDataSourceException extends SignalBusException {

    /** The exception, with a message that names the property and both ways out. */
    public NoDataSourceException() {
        super("signal-bus.store=jdbc but the application has no single DataSource bean; configure"
                + " spring.datasource.* or set signal-bus.store=memory");
    }
}
