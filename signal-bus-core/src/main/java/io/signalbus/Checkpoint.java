package io.signalbus;

import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * The durable resume point of a persistent subscription: the largest position {@code P} such that
 * every matching signal at or below {@code P} is acked or dead-lettered (a low-water mark).
 *
 * @param position 0 when nothing is acked yet
 * @param time     the time of the signal at {@code position}, null at 0 or when unknown
 */
public record Checkpoint(long position, @Nullable Instant time) {

    /** The checkpoint of a subscription that starts before the first signal. */
    public static final Checkpoint ORIGIN = new Checkpoint(0, null);

    public Checkpoint {
        if (position < 0) {
            throw new IllegalArgumentException("checkpoint position must be >= 0, was " + position);
        }
    }
}
