package io.signalbus.spring;

import io.signalbus.SignalBus;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.springframework.beans.factory.DisposableBean;

/**
 * Every bus of the application by name: the {@code default} bus and those configured under
 * {@code signal-bus.buses.<name>}. Closes them (flushing checkpoints) when the context closes.
 */
public class SignalBuses implements DisposableBean {

    private final Map<String, SignalBus> buses;

    public SignalBuses(Collection<SignalBus> buses) {
        var byName = new LinkedHashMap<String, SignalBus>();
        buses.forEach(bus -> byName.put(bus.name(), bus));
        this.buses = Collections.unmodifiableMap(byName);
    }

    /**
     * The bus named {@code name}.
     *
     * @throws UnknownBusException naming the bus and the configured ones
     */
    public SignalBus get(String name) {
        SignalBus bus = buses.get(name);
        if (bus == null) {
            throw new UnknownBusException(name, buses.keySet());
        }
        return bus;
    }

    /** The bus names, default first. */
    public Set<String> names() {
        return buses.keySet();
    }

    /** All buses, default first. */
    public Collection<SignalBus> all() {
        return buses.values();
    }

    @Override
    public void destroy() {
        buses.values().forEach(SignalBus::close);
    }
}
