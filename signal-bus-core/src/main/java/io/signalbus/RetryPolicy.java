package io.signalbus;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter between delivery attempts: after failed attempt {@code n} the
 * signal waits {@code min(max, initial * multiplier^(n-1))}, scaled by a random factor in
 * {@code [1 - jitter, 1 + jitter]} so that many failing signals do not retry in lockstep.
 *
 * @param initial    delay after the first failure
 * @param max        upper bound of the delay before jitter
 * @param multiplier growth per attempt (>= 1)
 * @param jitter     relative spread, 0 (none) to 1
 */
public record RetryPolicy(Duration initial, Duration max, double multiplier, double jitter) {

    /** 1 s doubling to at most 60 s, ±20 % jitter. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(60), 2.0, 0.2);
    }

    public RetryPolicy {
        InvalidOptionException.requirePositive("retry initial delay", initial);
        InvalidOptionException.requirePositive("retry max delay", max);
        if (max.compareTo(initial) < 0) {
            throw new InvalidOptionException("retry max delay " + max + " is shorter than the initial delay " + initial);
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new InvalidOptionException("retry multiplier must be >= 1, was " + multiplier);
        }
        if (!(jitter >= 0.0 && jitter <= 1.0)) {
            throw new InvalidOptionException("retry jitter must be between 0 and 1, was " + jitter);
        }
    }

    /** The delay after failed attempt {@code attempt} (1 for the first), jittered with {@code random}. */
    public Duration delayAfter(int attempt, RandomGenerator random) {
        double base = initial.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
        double capped = Math.min(base, max.toMillis());
        double factor = jitter == 0.0 ? 1.0 : 1.0 + jitter * (2.0 * random.nextDouble() - 1.0);
        return Duration.ofMillis(Math.max(0L, Math.round(capped * factor)));
    }
}
