package io.signalbus.router;

import io.signalbus.InvalidSignalException;
import io.signalbus.SignalBusException;
import org.jspecify.annotations.Nullable;

/**
 * The grammar of signal types: dot-separated non-empty segments of any characters but {@code .},
 * {@code *}, whitespace and control characters (so {@code dev.knative.apiserver:resource.add} and
 * {@code com.example/orders.created} are types), at most {@value #MAX_LENGTH} characters. Patterns
 * ({@link SignalPattern}) use the same segments plus the wildcards {@code *} and {@code **}.
 *
 * <p>CloudEvents allows any non-empty string as a type; the bus is stricter so that patterns can name
 * types: {@code .} separates segments, {@code *} is the wildcard, and whitespace or control characters
 * would be invisible in a pattern written in an annotation or a property.
 */
public final class SignalTypes {

    /** Longest type or pattern accepted; long enough for any real naming scheme, short enough to index. */
    public static final int MAX_LENGTH = 255;

    private SignalTypes() {
    }

    /**
     * Checks a signal type.
     *
     * @throws InvalidSignalException naming the type and the reason when it is not valid
     */
    public static String requireValid(String type) {
        String reason = whyInvalid(type);
        if (reason != null) {
            throw new InvalidSignalException("invalid signal type " + SignalBusException.quote(type) + ": " + reason);
        }
        return type;
    }

    /** True when {@code type} follows the grammar. */
    public static boolean isValid(String type) {
        return whyInvalid(type) == null;
    }

    static @Nullable String whyInvalid(@Nullable String type) {
        if (type == null) {
            return "type is required";
        }
        if (type.isEmpty()) {
            return "type is empty";
        }
        if (type.length() > MAX_LENGTH) {
            return "longer than " + MAX_LENGTH + " characters (" + type.length() + ")";
        }
        int segment = 1;
        int segmentLength = 0;
        for (int i = 0; i < type.length(); i++) {
            char c = type.charAt(i);
            if (c == '.') {
                if (segmentLength == 0) {
                    return "segment " + segment + " is empty";
                }
                segment++;
                segmentLength = 0;
            } else if (isSegmentChar(c)) {
                segmentLength++;
            } else {
                return "segment " + segment + " has " + SignalBusException.quote(c) + "; " + SEGMENT_RULE;
            }
        }
        return segmentLength == 0 ? "segment " + segment + " is empty" : null;
    }

    /** What {@link #isSegmentChar} allows, for messages. */
    static final String SEGMENT_RULE = "segments allow any character but '.', '*', whitespace and control characters";

    /** The characters a literal segment may hold, shared by types and patterns. */
    static boolean isSegmentChar(char c) {
        if (c < 0x80) {
            return c > ' ' && c != '.' && c != '*' && c != 0x7f; // the common case, checked per character of a type
        }
        return !Character.isISOControl(c) && !Character.isWhitespace(c) && !Character.isSpaceChar(c);
    }
}
