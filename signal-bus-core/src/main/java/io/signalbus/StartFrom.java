package io.signalbus;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Where a new persistent subscription starts reading. It applies only when the subscription is
 * first created; an existing subscription always resumes from its checkpoint.
 */
public final class StartFrom {

    /** The kinds of start point. */
    public enum Kind { ORIGIN, CURRENT, INSTANT, POSITION }

    private static final StartFrom ORIGIN = new StartFrom(Kind.ORIGIN, null, 0);
    private static final StartFrom CURRENT = new StartFrom(Kind.CURRENT, null, 0);

    private final Kind kind;
    private final @Nullable Instant instant;
    private final long position;

    private StartFrom(Kind kind, @Nullable Instant instant, long position) {
        this.kind = kind;
        this.instant = instant;
        this.position = position;
    }

    /** From the first signal of the log. */
    public static StartFrom origin() {
        return ORIGIN;
    }

    /** From the first signal published after the subscription is created (the log head at creation). */
    public static StartFrom current() {
        return CURRENT;
    }

    /** From the first signal recorded at or after {@code instant}. */
    public static StartFrom at(Instant instant) {
        return new StartFrom(Kind.INSTANT, Objects.requireNonNull(instant, "instant"), 0);
    }

    /** From the signal at {@code position} (inclusive, >= 1). */
    public static StartFrom position(long position) {
        if (position < 1) {
            throw new InvalidOptionException("start position must be >= 1, was " + position);
        }
        return new StartFrom(Kind.POSITION, null, position);
    }

    /**
     * Parses {@code origin}, {@code current}, a position (digits) or an ISO-8601 instant.
     *
     * @throws InvalidOptionException naming the text when it is null or none of these
     */
    public static StartFrom parse(@Nullable String text) {
        if (text == null) {
            throw new InvalidOptionException("start-from is required: 'origin', 'current', a position or an"
                    + " ISO-8601 instant");
        }
        String value = text.trim();
        if (value.equalsIgnoreCase("origin")) {
            return origin();
        }
        if (value.equalsIgnoreCase("current")) {
            return current();
        }
        if (!value.isEmpty() && value.chars().allMatch(Character::isDigit)) {
            try {
                return position(Long.parseLong(value));
            } catch (NumberFormatException e) {
                throw new InvalidOptionException("start-from position " + SignalBusException.quote(text)
                        + " is out of range");
            }
        }
        try {
            return at(Instant.parse(value));
        } catch (java.time.format.DateTimeParseException e) {
            throw new InvalidOptionException("invalid start-from " + SignalBusException.quote(text)
                    + ": expected 'origin', 'current', a position or an ISO-8601 instant such as 2026-01-31T10:15:30Z");
        }
    }

    public Kind kind() {
        return kind;
    }

    /** The instant for {@link Kind#INSTANT}, otherwise null. */
    public @Nullable Instant instant() {
        return instant;
    }

    /** The first position to deliver for {@link Kind#POSITION}, otherwise 0. */
    public long position() {
        return position;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StartFrom other && kind == other.kind && position == other.position
                && Objects.equals(instant, other.instant);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, instant, position);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case ORIGIN -> "origin";
            case CURRENT -> "current";
            case INSTANT -> String.valueOf(instant);
            case POSITION -> "position " + position;
        };
    }
}
