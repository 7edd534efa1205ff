package io.signalbus.router;

import org.jspecify.annotations.Nullable;

/**
 * The literal children of a trie node: an immutable open-addressing table from segment to node.
 * It is looked up by a region of the signal type, so that matching never allocates a substring;
 * the region's hash is {@link String#hashCode()} of that substring, computed once per segment by
 * the walk and shared by every node it visits. Writers replace a table, never change one.
 */
final class LiteralTable<T> {

    private static final LiteralTable<?> EMPTY = new LiteralTable<>(new String[1], new TrieNode<?>[1], 0);

    private final @Nullable String[] keys;
    private final @Nullable TrieNode<T>[] nodes;
    private final int size;

    private LiteralTable(@Nullable String[] keys, @Nullable TrieNode<?>[] nodes, int size) {
        this.keys = keys;
        @SuppressWarnings("unchecked")
        @Nullable TrieNode<T>[] typed = (@Nullable TrieNode<T>[]) nodes;
        this.nodes = typed;
        this.size = size;
    }

    @SuppressWarnings("unchecked")
    static <T> LiteralTable<T> empty() {
        return (LiteralTable<T>) EMPTY;
    }

    int size() {
        return size;
    }

    /** The child for {@code text[from, to)}, whose {@code String.hashCode()} is {@code hash}. */
    @Nullable TrieNode<T> get(String text, int from, int to, int hash) {
        int length = to - from;
        int mask = keys.length - 1;
        for (int i = spread(hash) & mask; ; i = (i + 1) & mask) {
            String key = keys[i];
            if (key == null) {
                return null;
            }
            if (key.hashCode() == hash && key.length() == length && key.regionMatches(0, text, from, length)) {
                return nodes[i];
            }
        }
    }

    @Nullable TrieNode<T> get(String segment) {
        return get(segment, 0, segment.length(), segment.hashCode());
    }

    /** A copy with {@code segment} mapped to {@code node}, or without it when {@code node} is null. */
    LiteralTable<T> with(String segment, @Nullable TrieNode<T> node) {
        boolean present = get(segment) != null;
        int newSize = size + (node == null ? (present ? -1 : 0) : (present ? 0 : 1));
        if (newSize == 0) {
            return empty();
        }
        // load factor at most 1/2 keeps probe sequences short
        int capacity = Integer.highestOneBit(newSize * 2 - 1) << 1;
        String[] newKeys = new String[capacity];
        TrieNode<?>[] newNodes = new TrieNode<?>[capacity];
        for (int i = 0; i < keys.length; i++) {
            String key = keys[i];
            if (key != null && !key.equals(segment)) {
                insert(newKeys, newNodes, key, nodes[i]);
            }
        }
        if (node != null) {
            insert(newKeys, newNodes, segment, node);
        }
        return new LiteralTable<>(newKeys, newNodes, newSize);
    }

    private static void insert(@Nullable String[] keys, @Nullable TrieNode<?>[] nodes, String key, @Nullable TrieNode<?> node) {
        int mask = keys.length - 1;
        int i = spread(key.hashCode()) & mask;
        while (keys[i] != null) {
            i = (i + 1) & mask;
        }
        keys[i] = key;
        nodes[i] = node;
    }

    private static int spread(int hash) {
        return hash ^ (hash >>> 16);
    }
}
