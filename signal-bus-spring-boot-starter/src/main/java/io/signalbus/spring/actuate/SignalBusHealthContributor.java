package io.signalbus.spring.actuate;

import io.signalbus.SignalBus;
import io.signalbus.spring.BusStatusReading;
import io.signalbus.spring.SignalBuses;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.HealthContributor;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The {@code signalBus} health contributor: a composite with one indicator per bus, so that
 * {@code /actuator/health/signalBus} shows every bus and {@code /actuator/health/signalBus/{bus}} one.
 * Each bus's status is read on a thread of the contributor's own and waited for at most
 * {@code timeout} (2 s by default); while a reading of a bus is still waiting for the store, later
 * checks of that bus share it rather than start another, so a store that stopped answering holds one
 * thread per bus, not one per check.
 * <ul>
 * <li>{@code DOWN} when the store cannot be read (the bus's {@code status()} throws) or has not
 * answered within the timeout (the details name the error, or how long the store has not answered),
 * or when a persistent subscription of the bus is {@code RECOVERING}: attached here but unable to
 * deliver (its dispatcher failed or it cannot read the log; the details show its {@code lastError}),
 * or when a signal committed inside a transaction has waited longer than {@code max-unsequenced-age}
 * (30 s by default) to become readable: no process gives the bus's staged signals their positions
 * (the details show {@code unsequencedAge} whenever a signal waits).</li>
 * <li>{@code OUT_OF_SERVICE} when a persistent subscription active in this process is stalled (lag
 * above {@code max-lag} without checkpoint progress for {@code stall-timeout}) or holds more dead
 * letters than {@code max-dead-letters}. The application and its store work; a subscription needs an
 * operator, which is what OUT_OF_SERVICE says.</li>
 * <li>{@code UP} otherwise.</li>
 * </ul>
 * Disconnected and standby subscriptions (served by another process or by none) are shown but do not
 * change the status: this process cannot make them progress.
 */
public class SignalBusHealthContributor implements CompositeHealthContributor, AutoCloseable {

    private final ExecutorService readers = BusStatusReading.readers("signal-bus-health");
    private final Map<String, HealthIndicator> indicators = new LinkedHashMap<>();

    /**
     * @param buses      the buses, one indicator each
     * @param properties the rules and the timeout
     * @param clock      the clock that times stalls
     */
    public SignalBusHealthContributor(SignalBuses buses, SignalBusHealthProperties properties, Clock clock) {
        var stalls = new StallDetector(properties.getMaxLag(), properties.getStallTimeout(), clock);
        for (SignalBus bus : buses.all()) {
            indicators.put(bus.name(), new BusHealthIndicator(bus, properties, stalls, readers, clock));
        }
    }

    @Override
    public @Nullable HealthContributor getContributor(String name) {
        return indicators.get(name);
    }

    @Override
    public Stream<Entry> stream() {
        return indicators.entrySet().stream().map(e -> new Entry(e.getKey(), e.getValue()));
    }

    /** Stops the threads that read the buses' statuses. */
    @Override
    public void close() {
        readers.shutdownNow();
    }
}
