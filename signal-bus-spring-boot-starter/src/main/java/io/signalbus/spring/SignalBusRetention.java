package io.signalbus.spring;

import io.signalbus.SignalBus;
import io.signalbus.SignalBusException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Deletes signals older than {@code signal-bus.retention} that every persistent subscription has
 * settled, every {@code signal-bus.retention-interval}, in batches so no transaction grows large.
 */
class SignalBusRetention implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(SignalBusRetention.class);
    static final int BATCH = 10_000;

    private final SignalBuses buses;
    private final Duration retention;
    private final Duration interval;
    private final Clock clock;
    private @Nullable ScheduledExecutorService scheduler;

    SignalBusRetention(SignalBuses buses, Duration retention, Duration interval, Clock clock) {
        this.buses = buses;
        this.retention = retention;
        this.interval = interval;
        this.clock = clock;
    }

    /** One pass over every bus; returns how many signals were deleted. */
    long pruneNow() {
        long total = 0;
        for (SignalBus bus : buses.all()) {
            try {
                int deleted;
                do {
                    deleted = bus.prune(clock.instant().minus(retention), BATCH);
                    total += deleted;
                } while (deleted == BATCH);
            } catch (SignalBusException e) {
                log.warn("retention on bus '{}' failed; will try again in {}", bus.name(), interval, e);
            }
        }
        return total;
    }

    @Override
    public synchronized void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "signal-bus-retention");
            thread.setDaemon(true);
            return thread;
        });
        scheduler.scheduleWithFixedDelay(this::pruneNow, interval.toMillis(), interval.toMillis(),
                TimeUnit.MILLISECONDS);
        log.info("signal-bus retention: signals older than {} are deleted every {} once every subscription has"
                + " settled them", retention, interval);
    }

    @Override
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }
}
