package io.signalbus.store;

import io.signalbus.InvalidSignalException;
import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import java.time.Instant;

/**
 * Placeholders for log rows a store cannot decode (written by an older version, edited by hand). A
 * store returns such a row as a placeholder at its position instead of failing the read: failing
 * would stall every subscription behind it for good, and skipping it would lose it silently. The bus
 * dead-letters a placeholder at once for every persistent subscription, whatever its pattern (nobody
 * can tell whether the real type matched), without calling a handler; replay returns it whatever the
 * pattern.
 *
 * <p>A placeholder is a signal of the reserved type {@value #TYPE} (publish refuses that type) with id
 * {@code undecodable-<position>}, the row's raw envelope as its {@code text/plain} data (cut at
 * {@value #MAX_ENVELOPE_LENGTH} characters) and the reason in the extension {@value #REASON_EXTENSION}
 * (cut at {@value #MAX_REASON_LENGTH}).
 */
public final class UndecodableSignals {

    /** The reserved type of placeholders. */
    public static final String TYPE = "signalbus.undecodable";

    /** The extension that holds why the row could not be decoded. */
    public static final String REASON_EXTENSION = "signalbusreason";

    /** The longest part of a raw envelope a placeholder keeps; the row itself stays in the log. */
    public static final int MAX_ENVELOPE_LENGTH = 65_536;

    /** The longest reason a placeholder keeps. */
    public static final int MAX_REASON_LENGTH = 2_000;

    private static final String SOURCE = "signal-bus";

    private UndecodableSignals() {
    }

    /**
     * The placeholder for the row at {@code position}.
     *
     * @param envelope the row's stored text, as it is
     * @param reason   why it could not be decoded
     */
    public static RecordedSignal placeholder(long position, Instant recordedAt, String envelope, String reason) {
        Signal signal = Signal.builder(TYPE)
                .id("undecodable-" + position)
                .source(SOURCE)
                .time(recordedAt)
                .datacontenttype("text/plain")
                .data(cut(envelope, MAX_ENVELOPE_LENGTH))
                .extension(REASON_EXTENSION, cut(reason, MAX_REASON_LENGTH))
                .build();
        return new RecordedSignal(position, signal, recordedAt);
    }

    /** Whether {@code signal} is a placeholder for an undecodable row. */
    public static boolean isPlaceholder(Signal signal) {
        return TYPE.equals(signal.type()) && signal.extensions().containsKey(REASON_EXTENSION);
    }

    /** The failure to dead-letter a placeholder with: it names the position and the reason. */
    public static InvalidSignalException failure(RecordedSignal placeholder) {
        return new InvalidSignalException("the log row at position " + placeholder.position()
                + " cannot be decoded (its raw envelope is this dead letter's data): "
                + placeholder.signal().extensions().get(REASON_EXTENSION));
    }

    private static String cut(String text, int length) {
        if (text.length() <= length) {
            return text;
        }
        // never split a surrogate pair: half of one cannot be encoded
        int end = Character.isHighSurrogate(text.charAt(length - 1)) ? length - 1 : length;
        return text.substring(0, end);
    }
}
