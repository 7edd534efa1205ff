package io.signalbus.spring;

import io.signalbus.StartFrom;
import org.springframework.core.convert.converter.Converter;

/**
 * Binds {@code signal-bus.start-from} (and a bus's own) to a {@link StartFrom}, so that a bad value
 * fails at startup naming the property, not later when a bus is built.
 */
class StartFromConverter implements Converter<String, StartFrom> {

    @Override
    public StartFrom convert(String text) {
        return StartFrom.parse(text);
    }
}
