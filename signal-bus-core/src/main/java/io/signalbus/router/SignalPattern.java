package io.signalbus.router;

import io.signalbus.InvalidPatternException;
import io.signalbus.SignalBusException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * A compiled, valid signal pattern: dot-separated segments, each a literal (a segment of a type, see
 * {@link SignalTypes}: any characters but {@code .}, {@code *}, whitespace and control characters),
 * {@code *} (exactly one segment) or {@code **} (zero or more segments). Segments split on {@code .}
 * only: {@code dev.knative.*} matches {@code dev.knative.apiserver:resource}.
 * Wildcards may stand anywhere and more than once, but never as {@code **.**}; at most
 * {@value SignalTypes#MAX_LENGTH} characters.
 *
 * <p>Matching is exact, never by prefix: {@code order.**} matches {@code order},
 * {@code order.created} and {@code order.a.b} but not {@code orders}; {@code order} does not match
 * {@code order.created}. It runs the same trie walk as {@link PatternTrie}, so a pattern means the
 * same thing for routing, subscriptions and replay.
 *
 * <p>Instances are immutable and thread-safe; equality is by {@link #value()}.
 */
public final class SignalPattern {

    static final String STAR = "*";
    static final String DOUBLE_STAR = "**";

    private final String value;
    private final List<String> segments;
    private final PatternTrie<Boolean> matcher;
    /**
     * Results of the trie walk by type. A pattern never changes and applications have few types, so
     * a persistent subscription scanning the log walks the trie once per type; bounded so that
     * high-cardinality types cannot grow it.
     */
    private final Map<String, Boolean> matchCache = new ConcurrentHashMap<>();
    private static final int MATCH_CACHE_LIMIT = 1024;

    private SignalPattern(String value, List<String> segments) {
        this.value = value;
        this.segments = segments;
        this.matcher = PatternTrie.of(this, Boolean.TRUE);
    }

    /**
     * Validates and compiles a pattern.
     *
     * @param pattern the pattern text; null is rejected
     * @return the compiled pattern
     * @throws InvalidPatternException naming the pattern and the reason when it is null, empty, too
     *     long, has an empty segment, a character outside the grammar, a partial wildcard such as
     *     {@code user*}, or two adjacent {@code **}
     */
    public static SignalPattern compile(@Nullable String pattern) {
        if (pattern == null) {
            throw invalid(pattern, "pattern is required");
        }
        if (pattern.isEmpty()) {
            throw invalid(pattern, "pattern is empty");
        }
        if (pattern.length() > SignalTypes.MAX_LENGTH) {
            throw invalid(pattern, "longer than " + SignalTypes.MAX_LENGTH + " characters (" + pattern.length() + ")");
        }
        List<String> segments = new ArrayList<>();
        int start = 0;
        while (start <= pattern.length()) {
            int end = pattern.indexOf('.', start);
            if (end < 0) {
                end = pattern.length();
            }
            String segment = pattern.substring(start, end);
            String reason = whyInvalid(segment, segments.size() + 1);
            if (reason == null && segment.equals(DOUBLE_STAR) && !segments.isEmpty()
                    && segments.get(segments.size() - 1).equals(DOUBLE_STAR)) {
                reason = "'**.**' is not allowed (use a single '**')";
            }
            if (reason != null) {
                throw invalid(pattern, reason);
            }
            segments.add(segment);
            start = end + 1;
        }
        return new SignalPattern(pattern, List.copyOf(segments));
    }

    private static @Nullable String whyInvalid(String segment, int number) {
        if (segment.isEmpty()) {
            return "segment " + number + " is empty";
        }
        boolean star = false;
        boolean other = false;
        for (int i = 0; i < segment.length(); i++) {
            char c = segment.charAt(i);
            if (c == '*') {
                star = true;
            } else if (SignalTypes.isSegmentChar(c)) {
                other = true;
            } else {
                return "segment " + number + " has " + SignalBusException.quote(c) + "; " + SignalTypes.SEGMENT_RULE
                        + ", or are '*' or '**'";
            }
        }
        if (star && other) {
            return "segment " + number + " mixes '*' with other characters";
        }
        if (star && segment.length() > 2) {
            return "segment " + number + " is " + SignalBusException.quote(segment) + "; wildcards are '*' (one segment) and '**' (zero or more)";
        }
        return null;
    }

    private static InvalidPatternException invalid(@Nullable String pattern, String reason) {
        return new InvalidPatternException("invalid pattern " + SignalBusException.quote(pattern) + ": " + reason);
    }

    /** The pattern text as compiled; never null. */
    public String value() {
        return value;
    }

    /** The segments in order; {@code *} and {@code **} stand for the wildcards. */
    List<String> segments() {
        return segments;
    }

    /**
     * Tells whether {@code type} matches this pattern exactly.
     *
     * @param type a signal type; an invalid type (including null) is rejected rather than answered
     * @throws io.signalbus.InvalidSignalException naming the type and the reason when it is not a
     *     valid signal type
     */
    public boolean matches(String type) {
        Boolean cached = matchCache.get(type);
        if (cached != null) {
            return cached;
        }
        boolean matches = !matcher.match(type).isEmpty();
        if (matchCache.size() < MATCH_CACHE_LIMIT) {
            matchCache.put(type, matches);
        }
        return matches;
    }

    @Override
    public boolean equals(@Nullable Object other) {
        return other instanceof SignalPattern pattern && pattern.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    /** The pattern text. */
    @Override
    public String toString() {
        return value;
    }
}
