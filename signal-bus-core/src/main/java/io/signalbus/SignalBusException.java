package io.signalbus;

import org.jspecify.annotations.Nullable;

/** Root of every exception signal-bus throws; each subclass says what was wrong and with which value. */
public class SignalBusException extends RuntimeException {

    /** Longest part of a value {@link #quote} shows; enough for any valid id, type or pattern. */
    private static final int QUOTE_LIMIT = 300;

    public SignalBusException(String message) {
        super(message);
    }

    public SignalBusException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * A value as an exception message quotes it: in single quotes, with control characters (and the
     * Unicode line and paragraph separators) escaped ({@code \n} as {@code \\n}, others as
     * {@code \\uXXXX}) and values longer than 300 characters cut short. Messages echo values callers
     * pass, often straight from a request: escaping keeps such a value from forging a log line.
     *
     * @return {@code null} (unquoted) for null
     */
    public static String quote(@Nullable Object value) {
        if (value == null) {
            return "null";
        }
        String text = value.toString();
        StringBuilder quoted = new StringBuilder(Math.min(text.length(), QUOTE_LIMIT) + 8).append('\'');
        for (int i = 0; i < text.length() && i < QUOTE_LIMIT; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                        quoted.append(String.format("\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        if (text.length() > QUOTE_LIMIT) {
            quoted.append("...' (").append(text.length()).append(" characters)");
            return quoted.toString();
        }
        return quoted.append('\'').toString();
    }
}
