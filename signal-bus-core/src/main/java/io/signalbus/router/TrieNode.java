package io.signalbus.router;

import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * One immutable node of a pattern trie. A change builds new nodes along the changed path and
 * shares the rest (a persistent trie), so readers walk a consistent snapshot without locks.
 * The node reached through a {@code **} edge {@link #loops}: it may absorb any number of further
 * segments, which is how {@code **} matches zero or more segments.
 */
final class TrieNode<T> {

    /** Delivery order: priority descending, then registration order ascending. */
    static final Comparator<PatternTrie.Registration<?>> ORDER = Comparator
            .comparingInt((PatternTrie.Registration<?> r) -> r.priority()).reversed()
            .thenComparingLong(PatternTrie.Registration::sequence);

    private static final PatternTrie.Registration<?>[] NO_REGISTRATIONS = new PatternTrie.Registration<?>[0];

    final boolean loops;
    final LiteralTable<T> literals;
    final @Nullable TrieNode<T> star;
    final @Nullable TrieNode<T> doubleStar;
    /** Registrations whose pattern ends here, in {@link #ORDER}. */
    final PatternTrie.Registration<T>[] registrations;
    /** Their values, in the same order; handed out as is when only this node matches. */
    final List<T> values;

    private TrieNode(boolean loops, LiteralTable<T> literals, @Nullable TrieNode<T> star,
            @Nullable TrieNode<T> doubleStar, PatternTrie.Registration<T>[] registrations) {
        this.loops = loops;
        this.literals = literals;
        this.star = star;
        this.doubleStar = doubleStar;
        this.registrations = registrations;
        this.values = valuesOf(registrations);
    }

    @SuppressWarnings("unchecked")
    static <T> TrieNode<T> empty(boolean loops) {
        return new TrieNode<>(loops, LiteralTable.empty(), null, null, (PatternTrie.Registration<T>[]) NO_REGISTRATIONS);
    }

    /** The child under {@code segment} of a compiled pattern: a literal, {@code *} or {@code **}. */
    @Nullable TrieNode<T> child(String segment) {
        if (segment.equals(SignalPattern.STAR)) {
            return star;
        }
        if (segment.equals(SignalPattern.DOUBLE_STAR)) {
            return doubleStar;
        }
        return literals.get(segment);
    }

    /** A copy with {@code child} under {@code segment}, or without that child when it is null. */
    TrieNode<T> withChild(String segment, @Nullable TrieNode<T> child) {
        if (segment.equals(SignalPattern.STAR)) {
            return new TrieNode<>(loops, literals, child, doubleStar, registrations);
        }
        if (segment.equals(SignalPattern.DOUBLE_STAR)) {
            return new TrieNode<>(loops, literals, star, child, registrations);
        }
        return new TrieNode<>(loops, literals.with(segment, child), star, doubleStar, registrations);
    }

    TrieNode<T> withRegistration(PatternTrie.Registration<T> registration) {
        PatternTrie.Registration<T>[] copy = Arrays.copyOf(registrations, registrations.length + 1);
        copy[registrations.length] = registration;
        Arrays.sort(copy, ORDER);
        return new TrieNode<>(loops, literals, star, doubleStar, copy);
    }

    /** A copy without {@code registration} (by identity), or this node when it does not hold it. */
    TrieNode<T> withoutRegistration(PatternTrie.Registration<?> registration) {
        for (int i = 0; i < registrations.length; i++) {
            if (registrations[i] == registration) {
                PatternTrie.Registration<T>[] copy = Arrays.copyOf(registrations, registrations.length - 1);
                System.arraycopy(registrations, i + 1, copy, i, registrations.length - i - 1);
                return new TrieNode<>(loops, literals, star, doubleStar, copy);
            }
        }
        return this;
    }

    /** True when the node neither ends a pattern nor leads to one, so it can be pruned. */
    boolean isEmpty() {
        return registrations.length == 0 && literals.size() == 0 && star == null && doubleStar == null;
    }

    private static <T> List<T> valuesOf(PatternTrie.Registration<T>[] registrations) {
        if (registrations.length == 0) {
            return List.of();
        }
        if (registrations.length == 1) {
            return List.of(registrations[0].value());
        }
        Object[] values = new Object[registrations.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = registrations[i].value();
        }
        @SuppressWarnings("unchecked")
        List<T> list = (List<T>) Collections.unmodifiableList(Arrays.asList(values));
        return list;
    }
}
