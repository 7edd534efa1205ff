package io.signalbus.router;

import io.signalbus.InvalidPatternException;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The router: values registered under {@link SignalPattern}s, matched against signal types by a
 * walk over a trie of pattern segments (literal children, a {@code *} child and a {@code **} child
 * that matches zero or more segments), never by scanning the patterns.
 *
 * <p>{@link #match} returns every registration whose pattern matches, ordered by priority
 * (higher first), then by registration order; each registration at most once.
 *
 * <p>Thread-safe, built for many concurrent readers and rare writers: the trie is persistent
 * (a change copies the nodes on its path and publishes a new root), so {@link #match} takes no
 * lock and sees each {@link #add} and {@link #remove} either wholly or not at all. Writers are
 * serialised on an internal lock.
 *
 * @param <T> what is routed to, e.g. a subscription; never null
 */
public final class PatternTrie<T> {

    private final Object writeLock = new Object();
    private volatile TrieNode<T> root = TrieNode.empty(false);
    private volatile int size;
    private long nextSequence;

    /** An empty trie. */
    public PatternTrie() {
    }

    /** A trie holding only {@code pattern}; the matcher behind {@link SignalPattern#matches}. */
    static <T> PatternTrie<T> of(SignalPattern pattern, T value) {
        PatternTrie<T> trie = new PatternTrie<>();
        trie.add(pattern, 0, value);
        return trie;
    }

    /**
     * Registers {@code value} under a pattern.
     *
     * @param pattern the pattern text, compiled with {@link SignalPattern#compile}
     * @param priority any int; higher is matched first (the bus restricts subscriptions to -100..100)
     * @param value the value {@link #match} returns; not null. The same value may be registered
     *     several times, under the same or other patterns; each registration is separate.
     * @return the registration, the handle for {@link #remove}
     * @throws InvalidPatternException naming the pattern and the reason when it is not valid
     */
    public Registration<T> add(String pattern, int priority, T value) {
        return add(SignalPattern.compile(pattern), priority, value);
    }

    /**
     * Registers {@code value} under an already compiled pattern.
     *
     * @see #add(String, int, Object)
     */
    public Registration<T> add(SignalPattern pattern, int priority, T value) {
        Objects.requireNonNull(pattern, "pattern");
        Objects.requireNonNull(value, "value");
        synchronized (writeLock) {
            Registration<T> registration = new Registration<>(pattern, priority, nextSequence++, value);
            root = insert(root, pattern.segments(), 0, registration);
            size++;
            return registration;
        }
    }

    /**
     * Removes a registration made by this trie's {@link #add}.
     *
     * @param registration not null
     * @return true when it was registered here and is now removed; false when it was already
     *     removed or belongs to another trie
     */
    public boolean remove(Registration<?> registration) {
        Objects.requireNonNull(registration, "registration");
        synchronized (writeLock) {
            TrieNode<T> current = root;
            TrieNode<T> updated = delete(current, registration.pattern().segments(), 0, registration);
            if (updated == current) {
                return false;
            }
            root = updated == null ? TrieNode.empty(false) : updated;
            size--;
            return true;
        }
    }

    /**
     * The values of every registration whose pattern matches {@code type} exactly, by priority
     * descending, then registration order ascending; each registration at most once.
     *
     * @param type a signal type
     * @return an unmodifiable list, empty when nothing matches; never null
     * @throws io.signalbus.InvalidSignalException naming the type and the reason when {@code type}
     *     is null or not a valid signal type
     */
    public List<T> match(String type) {
        return TrieWalk.match(root, type);
    }

    /** The number of registrations. */
    public int size() {
        return size;
    }

    /** True when nothing is registered. */
    public boolean isEmpty() {
        return size == 0;
    }

    @Override
    public String toString() {
        return "PatternTrie[size=" + size + "]";
    }

    private static <T> TrieNode<T> insert(TrieNode<T> node, List<String> segments, int index, Registration<T> registration) {
        if (index == segments.size()) {
            return node.withRegistration(registration);
        }
        String segment = segments.get(index);
        TrieNode<T> child = node.child(segment);
        if (child == null) {
            child = TrieNode.empty(segment.equals(SignalPattern.DOUBLE_STAR));
        }
        return node.withChild(segment, insert(child, segments, index + 1, registration));
    }

    /**
     * The node without {@code registration}: the same node when it is not found below, null when
     * the node is left empty (so its parent drops it and the trie does not grow with churn).
     */
    private static <T> @Nullable TrieNode<T> delete(TrieNode<T> node, List<String> segments, int index, Registration<?> registration) {
        TrieNode<T> updated;
        if (index == segments.size()) {
            updated = node.withoutRegistration(registration);
        } else {
            String segment = segments.get(index);
            TrieNode<T> child = node.child(segment);
            if (child == null) {
                return node;
            }
            TrieNode<T> updatedChild = delete(child, segments, index + 1, registration);
            if (updatedChild == child) {
                return node;
            }
            updated = node.withChild(segment, updatedChild);
        }
        if (updated == node) {
            return node;
        }
        return updated.isEmpty() ? null : updated;
    }

    /**
     * One value registered under one pattern: the handle {@link #add} returns and {@link #remove}
     * takes. Registrations compare by identity: two adds are two registrations.
     *
     * @param <T> the registered value's type
     */
    public static final class Registration<T> {

        private final SignalPattern pattern;
        private final int priority;
        private final long sequence;
        private final T value;

        private Registration(SignalPattern pattern, int priority, long sequence, T value) {
            this.pattern = pattern;
            this.priority = priority;
            this.sequence = sequence;
            this.value = value;
        }

        /** The pattern the value is registered under. */
        public SignalPattern pattern() {
            return pattern;
        }

        /** The priority; higher is matched first. */
        public int priority() {
            return priority;
        }

        /** The registration order within its trie, from 0; earlier is matched first among equal priorities. */
        public long sequence() {
            return sequence;
        }

        /** The registered value; never null. */
        public T value() {
            return value;
        }

        @Override
        public String toString() {
            return "Registration[pattern=" + pattern + ", priority=" + priority + ", sequence=" + sequence
                    + ", value=" + value + "]";
        }
    }
}
