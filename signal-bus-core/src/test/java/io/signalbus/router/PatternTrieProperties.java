package io.signalbus.router;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;

/**
 * The trie against a reference matcher written independently: a regular expression over the type
 * with a dot before every segment, where a literal is {@code \.literal}, {@code *} is one
 * {@code \.[^.]+} and {@code **} is {@code (\.[^.]+)*}. Small alphabets make matches frequent.
 */
class PatternTrieProperties {

    @Property(tries = 1000)
    void signalPatternAgreesWithTheReference(@ForAll("patterns") String pattern, @ForAll("typeLists") List<String> types) {
        SignalPattern compiled = SignalPattern.compile(pattern);
        for (String type : types) {
            assertThat(compiled.matches(type)).as("%s matches %s", pattern, type).isEqualTo(referenceMatches(pattern, type));
        }
    }

    @Property(tries = 1000)
    void matchReturnsExactlyTheReferenceMatchesInPriorityThenRegistrationOrder(
            @ForAll("registrationLists") List<Tuple2<String, Integer>> registrations,
            @ForAll("typeLists") List<String> types) {
        PatternTrie<Integer> trie = new PatternTrie<>();
        for (int i = 0; i < registrations.size(); i++) {
            trie.add(registrations.get(i).get1(), registrations.get(i).get2(), i);
        }
        for (String type : types) {
            assertThat(trie.match(type)).as("match %s in %s", type, registrations)
                    .containsExactlyElementsOf(expected(registrations, type, i -> true));
        }
    }

    @Property(tries = 1000)
    void matchAfterRemovalsReturnsExactlyTheRemainingReferenceMatches(
            @ForAll("registrationLists") List<Tuple2<String, Integer>> registrations,
            @ForAll("typeLists") List<String> types,
            @ForAll long removalMask) {
        PatternTrie<Integer> trie = new PatternTrie<>();
        List<PatternTrie.Registration<Integer>> added = new ArrayList<>();
        for (int i = 0; i < registrations.size(); i++) {
            added.add(trie.add(registrations.get(i).get1(), registrations.get(i).get2(), i));
        }
        for (int i = 0; i < added.size(); i++) {
            if (removed(removalMask, i)) {
                assertThat(trie.remove(added.get(i))).isTrue();
            }
        }
        for (String type : types) {
            assertThat(trie.match(type)).as("match %s in %s without mask %s", type, registrations, removalMask)
                    .containsExactlyElementsOf(expected(registrations, type, i -> !removed(removalMask, i)));
        }
    }

    @Provide
    Arbitrary<String> patterns() {
        return Arbitraries.of("a", "b", "c", "*", "**").list().ofMinSize(1).ofMaxSize(5)
                .filter(segments -> !String.join(".", segments).contains("**.**"))
                .map(segments -> String.join(".", segments));
    }

    @Provide
    Arbitrary<List<String>> typeLists() {
        return Arbitraries.of("a", "b", "c").list().ofMinSize(1).ofMaxSize(6)
                .map(segments -> String.join(".", segments))
                .list().ofMinSize(1).ofMaxSize(20);
    }

    @Provide
    Arbitrary<List<Tuple2<String, Integer>>> registrationLists() {
        return Combinators.combine(patterns(), Arbitraries.integers().between(-2, 2)).as(Tuple::of)
                .list().ofMaxSize(30);
    }

    private static boolean removed(long mask, int index) {
        return (mask >>> (index % 64) & 1) == 1;
    }

    private static List<Integer> expected(List<Tuple2<String, Integer>> registrations, String type,
            java.util.function.IntPredicate present) {
        List<Integer> matching = new ArrayList<>();
        for (int i = 0; i < registrations.size(); i++) {
            if (present.test(i) && referenceMatches(registrations.get(i).get1(), type)) {
                matching.add(i);
            }
        }
        // stable sort: equal priorities keep registration order
        matching.sort(Comparator.comparingInt((Integer i) -> registrations.get(i).get2()).reversed());
        return matching;
    }

    static boolean referenceMatches(String pattern, String type) {
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
