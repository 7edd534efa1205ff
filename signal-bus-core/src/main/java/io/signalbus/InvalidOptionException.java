package io.signalbus;

import java.time.Duration;
import org.jspecify.annotations.Nullable;

/** An option or argument (subscription options, replay options, limits, ids) is out of range. */
public class InvalidOptionException extends SignalBusException {

    public InvalidOptionException(String message) {
        super(message);
    }

    /** Throws when {@code value} is outside {@code [min, max]}, naming the option and the value. */
    public static void requireRange(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new InvalidOptionException(name + " must be between " + min + " and " + max + ", was " + value);
        }
    }

    /** Throws when {@code value} is null, zero or negative, naming the option and the value. */
    public static void requirePositive(String name, @Nullable Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new InvalidOptionException(name + " must be a positive duration, was " + value);
        }
    }
}
