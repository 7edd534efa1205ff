package io.signalbus.store;

import io.signalbus.Signal;
import org.jspecify.annotations.Nullable;

/**
 * How many bytes a signal takes, about: {@link #of} measures the data's JSON plus every attribute and
 * extension (names and values) in UTF-8, without the JSON punctuation, close to the envelope's size
 * without encoding it again (what {@code max-payload-size} limits); {@link #estimate} is the cheap
 * bound reads and buffers count in.
 */
public final class SignalSize {

    /** An RFC 3339 time to the nanosecond, years 0000 to 9999: counted, not formatted (formatting costs more). */
    private static final int TIME_CHARACTERS = "2026-01-01T00:00:00.000000000Z".length();

    private SignalSize() {
    }

    /** The size of {@code signal} in bytes, about, its data encoded by the default mapper. */
    public static long of(Signal signal) {
        return of(signal, signal.dataJson());
    }

    /** The size of {@code signal} in bytes, about, with {@code data} its data's JSON as the bus encodes it. */
    public static long of(Signal signal, byte @Nullable [] data) {
        long size = data == null ? 0 : data.length;
        size += utf8Length(signal.id()) + utf8Length(signal.source()) + utf8Length(signal.type())
                + utf8Length(signal.subject()) + utf8Length(signal.datacontenttype())
                + utf8Length(signal.dataschema()) + (signal.time() == null ? 0 : TIME_CHARACTERS);
        for (var extension : signal.extensions().entrySet()) {
            size += utf8Length(extension.getKey()) + utf8Length(extension.getValue().toString());
        }
        return size;
    }

    /**
     * A cheap bound for memory accounting, in constant time: the data's JSON plus the attributes'
     * lengths in characters and a fixed allowance for the rest. What reads and buffers count, signal
     * by signal, on the hot path.
     */
    public static long estimate(Signal signal) {
        byte[] data = signal.dataJson();
        String subject = signal.subject();
        return (data == null ? 0 : data.length) + signal.id().length() + signal.source().length()
                + signal.type().length() + (subject == null ? 0 : subject.length())
                + 64L * (1 + signal.extensions().size());
    }

    private static long utf8Length(@Nullable String text) {
        if (text == null) {
            return 0;
        }
        long length = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            // a surrogate pair is 4 bytes: 2 for each half
            length += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
        }
        return length;
    }
}
