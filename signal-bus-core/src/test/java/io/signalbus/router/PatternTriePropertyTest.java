package io.signalbus.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The trie against a reference matcher written independently: a regular expression over the type
 * with a dot before every segment, where a literal is {@code \.literal}, {@code *} is one
 * {@code \.[^.]+} and {@code **} is {@code (\.[^.]+)*}. Small alphabets make matches frequent.
 *
 * <p>Each test checks {@link #CASES} random cases from each of a few fixed seeds; a failure names the
 * seed, the case number and the case, so it can be reproduced.
 */
class PatternTriePropertyTest {

    private static final int CASES = 250;
    private static final String[] PATTERN_SEGMENTS = {"a", "b", "c", "*", "**"};
    private static final String[] TYPE_SEGMENTS = {"a", "b", "c"};

    static LongStream seeds() {
        return LongStream.of(1, 42, 20_240_611, -7_046_029_254_386_353_131L);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void signalPatternAgreesWithTheReference(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int n = 0; n < CASES; n++) {
            String pattern = pattern(random);
            List<String> types = types(random);
            String context = "seed %d case %d: pattern %s, types %s".formatted(seed, n, pattern, types);
            SignalPattern compiled = assertDoesNotThrow(() -> SignalPattern.compile(pattern), context);
            for (String type : types) {
                assertThat(assertDoesNotThrow(() -> compiled.matches(type), context))
                        .as("%s: %s matches %s", context, pattern, type)
                        .isEqualTo(referenceMatches(pattern, type));
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void matchReturnsExactlyTheReferenceMatchesInPriorityThenRegistrationOrder(long seed) {
        checkMatches(seed, false);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void matchAfterRemovalsReturnsExactlyTheRemainingReferenceMatches(long seed) {
        checkMatches(seed, true);
    }

    /**
     * Registers random patterns in a trie, removes each registration with probability 1/2 when
     * {@code removeSome}, and checks that the trie matches each random type to exactly the remaining
     * registrations whose pattern the reference matches, in priority then registration order.
     */
    private static void checkMatches(long seed, boolean removeSome) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int n = 0; n < CASES; n++) {
            List<Added> registrations = registrations(random);
            List<String> types = types(random);
            BitSet removed = new BitSet();
            for (int i = 0; removeSome && i < registrations.size(); i++) {
                removed.set(i, random.nextBoolean());
            }
            String context = "seed %d case %d: registrations %s, removed %s, types %s"
                    .formatted(seed, n, registrations, removed, types);
            PatternTrie<Integer> trie = new PatternTrie<>();
            List<PatternTrie.Registration<Integer>> handles = new ArrayList<>();
            for (int i = 0; i < registrations.size(); i++) {
                Added added = registrations.get(i);
                int value = i;
                handles.add(assertDoesNotThrow(() -> trie.add(added.pattern(), added.priority(), value), context));
            }
            removed.stream().forEach(i -> assertThat(trie.remove(handles.get(i))).as("%s: remove %d", context, i).isTrue());
            for (String type : types) {
                assertThat(assertDoesNotThrow(() -> trie.match(type), context))
                        .as("%s: match %s", context, type)
                        .containsExactlyElementsOf(expected(registrations, type, removed));
            }
        }
    }

    /** One registration of a case: its pattern and priority; its value is its index in the case. */
    private record Added(String pattern, int priority) {

        @Override
        public String toString() {
            return pattern + "@" + priority;
        }
    }

    /** 1 to 5 segments of a, b, c, * and **, never two ** in a row (the pattern syntax forbids it). */
    private static String pattern(SplittableRandom random) {
        String pattern;
        do {
            pattern = join(random, PATTERN_SEGMENTS, 1 + random.nextInt(5));
        } while (pattern.contains("**.**"));
        return pattern;
    }

    /** 1 to 20 types of 1 to 6 segments of a, b and c. */
    private static List<String> types(SplittableRandom random) {
        List<String> types = new ArrayList<>();
        for (int i = 1 + random.nextInt(20); i > 0; i--) {
            types.add(join(random, TYPE_SEGMENTS, 1 + random.nextInt(6)));
        }
        return types;
    }

    /** 0 to 30 registrations with priorities -2 to 2, so that equal priorities are frequent. */
    private static List<Added> registrations(SplittableRandom random) {
        List<Added> registrations = new ArrayList<>();
        for (int i = random.nextInt(31); i > 0; i--) {
            registrations.add(new Added(pattern(random), random.nextInt(-2, 3)));
        }
        return registrations;
    }

    private static String join(SplittableRandom random, String[] alphabet, int segments) {
        List<String> chosen = new ArrayList<>();
        for (int i = 0; i < segments; i++) {
            chosen.add(alphabet[random.nextInt(alphabet.length)]);
        }
        return String.join(".", chosen);
    }

    private static List<Integer> expected(List<Added> registrations, String type, BitSet removed) {
        List<Integer> matching = new ArrayList<>();
        for (int i = 0; i < registrations.size(); i++) {
            if (!removed.get(i) && referenceMatches(registrations.get(i).pattern(), type)) {
                matching.add(i);
            }
        }
        // stable sort: equal priorities keep registration order
        matching.sort(Comparator.comparingInt((Integer i) -> registrations.get(i).priority()).reversed());
        return matching;
    }

    private static boolean referenceMatches(String pattern, String type) {
        StringBuilder regex = new StringBuilder();
        for (String segment : pattern.split("\\.")) {
            switch (segment) {
                case "*" -> regex.append("\\.[^.]+");
                case "**" -> regex.append("(?:\\.[^.]+)*");
                default -> regex.append("\\.").append(Pattern.quote(segment));
            }
        }
        return Pattern.matches(regex.toString(), "." + type);
    }
}
