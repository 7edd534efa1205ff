package io.signalbus;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What {@link SignalBus#replay} reads: from the origin, from a position or since an instant, at most
 * {@link #limit()} signals (default {@value #DEFAULT_LIMIT}; page with {@code fromPosition(last + 1)}).
 */
public final class ReplayOptions {

    /** Default and upper bound of one replay call, so a replay never loads the whole log into memory. */
    public static final int DEFAULT_LIMIT = 10_000;
    public static final int MAX_LIMIT = 100_000;

    private final @Nullable Instant since;
    private final long fromPosition;
    private final int limit;

    private ReplayOptions(@Nullable Instant since, long fromPosition, int limit) {
        this.since = since;
        this.fromPosition = fromPosition;
        this.limit = limit;
    }

    /** From the first signal of the log. */
    public static ReplayOptions fromOrigin() {
        return new ReplayOptions(null, 1, DEFAULT_LIMIT);
    }

    /** Signals recorded at or after {@code since}. */
    public static ReplayOptions since(Instant since) {
        return new ReplayOptions(Objects.requireNonNull(since, "since"), 1, DEFAULT_LIMIT);
    }

    /** Signals at or after {@code position} (>= 1). */
    public static ReplayOptions fromPosition(long position) {
        if (position < 1) {
            throw new InvalidOptionException("replay position must be >= 1, was " + position);
        }
        return new ReplayOptions(null, position, DEFAULT_LIMIT);
    }

    /** At most {@code limit} signals (1..{@value #MAX_LIMIT}). */
    public ReplayOptions limit(int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new InvalidOptionException("replay limit must be between 1 and " + MAX_LIMIT + ", was " + limit);
        }
        return new ReplayOptions(since, fromPosition, limit);
    }

    public @Nullable Instant since() {
        return since;
    }

    public long fromPosition() {
        return fromPosition;
    }

    public int limit() {
        return limit;
    }

    @Override
    public String toString() {
        return "ReplayOptions[" + (since != null ? "since=" + since : "fromPosition=" + fromPosition) + ", limit=" + limit + "]";
    }
}
