package io.signalbus;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A signal that exhausted its delivery attempts for one subscription.
 *
 * <p>The error texts are made storable on construction, so that no store can refuse a dead letter
 * for its content (PostgreSQL rejects a NUL character in text forever): control characters other than
 * {@code \n} and {@code \t}, and unpaired surrogates, become U+FFFD, and texts are cut at
 * {@value #MAX_ERROR_TYPE_LENGTH} (type) and {@value #MAX_ERROR_MESSAGE_LENGTH} (message) characters.
 *
 * @param errorType    class name of the last failure
 * @param errorMessage message of the last failure, may be null
 */
public record DeadLetter(String subscriptionId, long position, Signal signal, int attempts, String errorType,
        @Nullable String errorMessage, Instant deadLetteredAt) {

    /** The longest error type kept (the JDBC store's column width). */
    public static final int MAX_ERROR_TYPE_LENGTH = 1_000;

    /** The longest error message kept. */
    public static final int MAX_ERROR_MESSAGE_LENGTH = 2_000;

    public DeadLetter {
        Objects.requireNonNull(subscriptionId, "subscriptionId");
        Objects.requireNonNull(signal, "signal");
        Objects.requireNonNull(errorType, "errorType");
        Objects.requireNonNull(deadLetteredAt, "deadLetteredAt");
        errorType = storable(errorType, MAX_ERROR_TYPE_LENGTH);
        errorMessage = errorMessage == null ? null : storable(errorMessage, MAX_ERROR_MESSAGE_LENGTH);
    }

    private static String storable(String text, int maxLength) {
        int length = Math.min(text.length(), maxLength);
        StringBuilder clean = null;
        for (int i = 0; i < length; i++) {
            char c = text.charAt(i);
            boolean pairedHigh = Character.isHighSurrogate(c) && i + 1 < length
                    && Character.isLowSurrogate(text.charAt(i + 1));
            boolean bad = (Character.isISOControl(c) && c != '\n' && c != '\t')
                    || (Character.isSurrogate(c) && !pairedHigh);
            if (bad && clean == null) {
                clean = new StringBuilder(length).append(text, 0, i);
            }
            if (clean != null) {
                clean.append(bad ? '\uFFFD' : c);
            }
            if (pairedHigh) {
                i++;
                if (clean != null) {
                    clean.append(text.charAt(i));
                }
            }
        }
        if (clean != null) {
            return clean.toString();
        }
        return length == text.length() ? text : text.substring(0, length);
    }
}
