package io.signalbus;

import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Generates signal ids: UUIDv7 strings (RFC 9562) that strictly increase within a JVM, as strings and as
 * {@link UUID}s, across threads, within one millisecond and across a clock step back.
 *
 * <p>Layout: 48-bit Unix milliseconds, version 7, a 12-bit counter in {@code rand_a} (RFC 9562 §6.2
 * method 1), variant {@code 10}, 62 random bits in {@code rand_b}. When the counter of a millisecond is
 * exhausted, or the clock steps back, the generator borrows the next millisecond, so the embedded
 * timestamp may run slightly ahead of the wall clock but never backwards. The random bits come from
 * {@link ThreadLocalRandom}: ids are unique, not secret.
 */
public final class SignalIds {

    private static final Generator SHARED = new Generator(System::currentTimeMillis);

    private SignalIds() {
    }

    /** The next id, greater than every id this JVM has generated before. */
    public static String next() {
        return SHARED.next();
    }

    /**
     * The millisecond embedded in a UUIDv7 id.
     *
     * @throws InvalidOptionException naming the id when it is not a UUIDv7 string
     */
    public static Instant timestampOf(String id) {
        UUID uuid;
        try {
            uuid = id.length() == 36 ? UUID.fromString(id) : null;
        } catch (IllegalArgumentException e) {
            uuid = null;
        }
        if (uuid == null || uuid.version() != 7 || uuid.variant() != 2) {
            throw new InvalidOptionException("id " + SignalBusException.quote(id) + " is not a UUIDv7");
        }
        return Instant.ofEpochMilli(uuid.getMostSignificantBits() >>> 16);
    }

    /** The generator behind {@link #next()}, with a replaceable clock so tests can step it back. */
    static final class Generator {

        private static final int COUNTER_BITS = 12;
        private static final long COUNTER_MASK = (1L << COUNTER_BITS) - 1;
        private static final long VERSION_7 = 0x7000L;
        private static final long VARIANT_BITS = 0x8000_0000_0000_0000L;
        private static final long RAND_B_MASK = 0x3FFF_FFFF_FFFF_FFFFL;

        private final LongSupplier clock;
        /** (unix millis << 12) | counter of the last id; only ever moves forward. */
        private final AtomicLong state = new AtomicLong();

        Generator(LongSupplier clock) {
            this.clock = clock;
        }

        String next() {
            return nextUuid().toString();
        }

        UUID nextUuid() {
            long now = clock.getAsLong() << COUNTER_BITS;
            long previous;
            long current;
            do {
                previous = state.get();
                // prev + 1 carries a full counter into the millisecond: that is the borrow
                current = now > previous ? now : previous + 1;
            } while (!state.compareAndSet(previous, current));
            long msb = ((current >>> COUNTER_BITS) << 16) | VERSION_7 | (current & COUNTER_MASK);
            long lsb = (ThreadLocalRandom.current().nextLong() & RAND_B_MASK) | VARIANT_BITS;
            return new UUID(msb, lsb);
        }
    }
}
