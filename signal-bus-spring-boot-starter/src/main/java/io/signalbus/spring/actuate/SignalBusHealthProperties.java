package io.signalbus.spring.actuate;

import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * When the {@code signalBus} health contributor reports a persistent subscription as a problem, and
 * how long it waits for the store: under {@code management.health.signalbus.*}, Boot's place for a
 * health indicator's settings. The former names under {@code signal-bus.health.*} are still read
 * (deprecated; the new names win where both are set).
 */
@ConfigurationProperties(SignalBusHealthProperties.PREFIX)
public class SignalBusHealthProperties {

    /** Where these settings live. */
    public static final String PREFIX = "management.health.signalbus";

    /** Where they lived before; still read, deprecated. */
    public static final String DEPRECATED_PREFIX = "signal-bus.health";

    /**
     * Lag (log positions not yet settled) above which a subscription whose checkpoint does not move
     * for stall-timeout counts as stalled.
     */
    private long maxLag = 10_000;

    /**
     * How long a subscription may stay above max-lag without checkpoint progress before it counts as
     * stalled.
     */
    private Duration stallTimeout = Duration.ofMinutes(5);

    /**
     * Dead letters a subscription may hold before it counts as a problem; 0 means any dead letter
     * does. Unset (the default): dead letters do not change the health status; they are still shown
     * in the details and in the signalbus.dead_letters gauge.
     */
    private @Nullable Long maxDeadLetters;

    /**
     * The longest a health check waits for the store: a bus whose status has not been read by then
     * (the database is unreachable, or a connection stopped answering) is reported DOWN. The check
     * runs on a thread of its own; while one is still running, later checks do not start another.
     */
    private Duration timeout = Duration.ofSeconds(2);

    /**
     * How long a signal committed inside a transaction may wait to become readable (for its position)
     * before its bus is DOWN: older means no process sequences the bus (every instance stopped right
     * after committing, or the database refuses the sequencer's writes). Measured from the publish,
     * so it must exceed the longest publishing transaction.
     */
    private Duration maxUnsequencedAge = Duration.ofSeconds(30);

    public Duration getMaxUnsequencedAge() {
        return maxUnsequencedAge;
    }

    public void setMaxUnsequencedAge(Duration maxUnsequencedAge) {
        if (maxUnsequencedAge.isNegative()) {
            throw new IllegalArgumentException(PREFIX + ".max-unsequenced-age must not be negative, was "
                    + maxUnsequencedAge);
        }
        this.maxUnsequencedAge = maxUnsequencedAge;
    }

    public long getMaxLag() {
        return maxLag;
    }

    public void setMaxLag(long maxLag) {
        if (maxLag < 0) {
            throw new IllegalArgumentException(PREFIX + ".max-lag must be >= 0, was " + maxLag);
        }
        this.maxLag = maxLag;
    }

    public Duration getStallTimeout() {
        return stallTimeout;
    }

    public void setStallTimeout(Duration stallTimeout) {
        if (stallTimeout.isNegative()) {
            throw new IllegalArgumentException(PREFIX + ".stall-timeout must not be negative, was "
                    + stallTimeout);
        }
        this.stallTimeout = stallTimeout;
    }

    public @Nullable Long getMaxDeadLetters() {
        return maxDeadLetters;
    }

    public void setMaxDeadLetters(@Nullable Long maxDeadLetters) {
        if (maxDeadLetters != null && maxDeadLetters < 0) {
            throw new IllegalArgumentException(PREFIX + ".max-dead-letters must be >= 0, was "
                    + maxDeadLetters);
        }
        this.maxDeadLetters = maxDeadLetters;
    }

    public Duration getTimeout() {
        return timeout;
    }

    public void setTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(PREFIX + ".timeout must be positive, was " + timeout);
        }
        this.timeout = timeout;
    }
}
