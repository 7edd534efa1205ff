package io.signalbus.router;

import io.signalbus.InvalidSignalException;
import io.signalbus.SignalBusException;
import org.jspecify.annotations.Nullable;

/**
 * The grammar of signal types: dot-separated segments of {@code [A-Za-z0-9_-]+}, at most
 * {@value #MAX_LENGTH} characters. Patterns ({@link SignalPattern}) use the same segments plus the
 * wildcards {@code *} and {@code **}.
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
                return "segment " + segment + " has " + SignalBusException.quote(c) + "; segments allow only A-Z, a-z, 0-9, '_' and '-'";
            }
        }
        return segmentLength == 0 ? "segment " + segment + " is empty" : null;
    }

    /** The characters a literal segment may hold, shared by types and patterns. */
    static boolean isSegmentChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    }
}
