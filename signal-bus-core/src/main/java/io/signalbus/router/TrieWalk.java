package io.signalbus.router;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The one matching algorithm of signal-bus, used by {@link PatternTrie#match} and, through a
 * one-pattern trie, by {@link SignalPattern#matches}.
 *
 * <p>It runs the trie as a nondeterministic automaton over the segments of the type: it keeps the
 * set of nodes reachable after each segment, so every node is visited at most once per segment
 * however many ways {@code **} could reach it. That bounds the work by nodes × segments (never
 * exponential in the number of {@code **}) and yields each registration at most once. The type is
 * validated while it is scanned, and segments are never copied out of it.
 */
final class TrieWalk<T> {

    private TrieNode<T>[] current;
    private TrieNode<T>[] next;
    private int currentSize;
    private int nextSize;

    @SuppressWarnings("unchecked")
    private TrieWalk() {
        current = (TrieNode<T>[]) new TrieNode<?>[8];
        next = (TrieNode<T>[]) new TrieNode<?>[8];
    }

    /**
     * The values of every registration in {@code root}'s trie whose pattern matches {@code type},
     * in priority then registration order.
     *
     * @throws io.signalbus.InvalidSignalException when {@code type} is not a valid signal type
     */
    static <T> List<T> match(TrieNode<T> root, String type) {
        int length = type == null ? 0 : type.length();
        if (length == 0 || length > SignalTypes.MAX_LENGTH) {
            throw invalidType(type);
        }
        TrieWalk<T> walk = new TrieWalk<>();
        walk.add(root);
        walk.swap();
        int start = 0;
        while (true) {
            int hash = 0;
            int end = start;
            for (; end < length; end++) {
                char c = type.charAt(end);
                if (c == '.') {
                    break;
                }
                if (!SignalTypes.isSegmentChar(c)) {
                    throw invalidType(type);
                }
                hash = 31 * hash + c;
            }
            if (end == start) {
                throw invalidType(type);
            }
            walk.step(type, start, end, hash);
            if (end == length) {
                return walk.collect();
            }
            if (walk.currentSize == 0) {
                // nothing can match any more; still reject a type that is invalid further on
                SignalTypes.requireValid(type);
                return List.of();
            }
            start = end + 1;
        }
    }

    /** Moves every current node across the segment {@code type[from, to)}. */
    private void step(String type, int from, int to, int hash) {
        TrieNode<T>[] nodes = current;
        for (int i = 0, n = currentSize; i < n; i++) {
            TrieNode<T> node = nodes[i];
            if (node.loops) {
                add(node);
            }
            TrieNode<T> literal = node.literals.get(type, from, to, hash);
            if (literal != null) {
                add(literal);
            }
            TrieNode<T> star = node.star;
            if (star != null) {
                add(star);
            }
        }
        swap();
    }

    /**
     * Adds a node and, since {@code **} may match zero segments, its {@code **} child. Only looping
     * nodes can arrive twice (through their parent and through their own loop): every other node has
     * one parent, which is itself in the set at most once.
     */
    private void add(TrieNode<T> node) {
        if (!node.loops || !containsNext(node)) {
            push(node);
        }
        TrieNode<T> doubleStar = node.doubleStar;
        if (doubleStar != null && !containsNext(doubleStar)) {
            push(doubleStar);
        }
    }

    private boolean containsNext(TrieNode<T> node) {
        for (int i = 0; i < nextSize; i++) {
            if (next[i] == node) {
                return true;
            }
        }
        return false;
    }

    private void push(TrieNode<T> node) {
        if (nextSize == next.length) {
            next = Arrays.copyOf(next, nextSize * 2);
        }
        next[nextSize++] = node;
    }

    private void swap() {
        TrieNode<T>[] done = current;
        current = next;
        currentSize = nextSize;
        next = done;
        nextSize = 0;
    }

    private List<T> collect() {
        TrieNode<T> only = null;
        int matches = 0;
        int total = 0;
        for (int i = 0; i < currentSize; i++) {
            TrieNode<T> node = current[i];
            if (node.registrations.length > 0) {
                only = node;
                matches++;
                total += node.registrations.length;
            }
        }
        if (matches == 0) {
            return List.of();
        }
        if (matches == 1 && only != null) {
            return only.values;
        }
        PatternTrie.Registration<?>[] all = new PatternTrie.Registration<?>[total];
        int filled = 0;
        for (int i = 0; i < currentSize; i++) {
            PatternTrie.Registration<T>[] registrations = current[i].registrations;
            System.arraycopy(registrations, 0, all, filled, registrations.length);
            filled += registrations.length;
        }
        Arrays.sort(all, TrieNode.ORDER);
        Object[] values = new Object[total];
        for (int i = 0; i < total; i++) {
            values[i] = all[i].value();
        }
        @SuppressWarnings("unchecked")
        List<T> list = (List<T>) Collections.unmodifiableList(Arrays.asList(values));
        return list;
    }

    private static RuntimeException invalidType(String type) {
        SignalTypes.requireValid(type);
        throw new IllegalStateException("type '" + type + "' was rejected by the walk but passes SignalTypes");
    }
}
