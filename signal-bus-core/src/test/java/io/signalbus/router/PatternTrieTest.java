package io.signalbus.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalbus.InvalidPatternException;
import io.signalbus.InvalidSignalException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class PatternTrieTest {

    private final PatternTrie<String> trie = new PatternTrie<>();

    @Test
    void ordersMatchesByPriorityDescendingThenRegistrationOrder() {
        trie.add("order.**", 0, "low-first");
        trie.add("order.created", 10, "high-first");
        trie.add("*.created", 0, "low-second");
        trie.add("**", 10, "high-second");
        trie.add("order.*", -5, "negative");

        assertThat(trie.match("order.created"))
                .containsExactly("high-first", "high-second", "low-first", "low-second", "negative");
    }

    @Test
    void registrationsOfOnePatternKeepPriorityThenRegistrationOrder() {
        trie.add("order.created", 0, "first");
        trie.add("order.created", 5, "urgent");
        trie.add("order.created", 0, "second");

        assertThat(trie.match("order.created")).containsExactly("urgent", "first", "second");
    }

    @Test
    void returnsEmptyListWhenNothingMatches() {
        trie.add("order.created", 0, "x");

        assertThat(trie.match("order.updated")).isEmpty();
        assertThat(trie.match("order")).isEmpty();
        assertThat(trie.match("order.created.late")).isEmpty();
    }

    @Test
    void matchResultIsUnmodifiable() {
        trie.add("order.*", 0, "a");
        trie.add("order.**", 0, "b");

        assertThatThrownBy(() -> trie.match("order.created").add("c")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> trie.match("order.created").set(0, "c")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> trie.match("order").set(0, "c")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void removedRegistrationNoLongerMatches() {
        PatternTrie.Registration<String> gone = trie.add("order.*", 0, "gone");
        trie.add("order.**", 0, "kept");

        assertThat(trie.remove(gone)).isTrue();

        assertThat(trie.match("order.created")).containsExactly("kept");
        assertThat(trie.size()).isEqualTo(1);
    }

    @Test
    void removingOneOfTwoRegistrationsOfAPatternKeepsTheOther() {
        PatternTrie.Registration<String> first = trie.add("order.created", 0, "same");
        trie.add("order.created", 0, "same");

        assertThat(trie.remove(first)).isTrue();

        assertThat(trie.match("order.created")).containsExactly("same");
    }

    @Test
    void removeReturnsFalseForARegistrationAlreadyRemovedOrFromAnotherTrie() {
        PatternTrie.Registration<String> registration = trie.add("order.created", 0, "x");
        PatternTrie<String> other = new PatternTrie<>();
        PatternTrie.Registration<String> foreign = other.add("order.created", 0, "x");

        assertThat(trie.remove(foreign)).isFalse();
        assertThat(trie.remove(registration)).isTrue();
        assertThat(trie.remove(registration)).isFalse();
        assertThat(trie.isEmpty()).isTrue();
        assertThat(other.match("order.created")).containsExactly("x");
    }

    @Test
    void removingEverythingLeavesAnEmptyTrieThatStillWorks() {
        List<PatternTrie.Registration<String>> registrations = List.of(
                trie.add("a.**.z", 0, "1"), trie.add("a.*.z", 0, "2"), trie.add("**", 0, "3"));
        registrations.forEach(trie::remove);

        assertThat(trie.isEmpty()).isTrue();
        assertThat(trie.match("a.b.z")).isEmpty();
        trie.add("a.*.z", 0, "again");
        assertThat(trie.match("a.b.z")).containsExactly("again");
    }

    @Test
    void sameValueUnderTwoPatternsIsReturnedOncePerMatchingRegistration() {
        trie.add("order.*", 0, "audit");
        trie.add("order.created", 0, "audit");

        assertThat(trie.match("order.created")).containsExactly("audit", "audit");
        assertThat(trie.match("order.updated")).containsExactly("audit");
    }

    @Test
    void registrationReachableThroughSeveralDoubleStarPathsIsMatchedOnce() {
        trie.add("**.a.**", 0, "a-anywhere");
        trie.add("**.*.**", 0, "any");
        trie.add("**", 0, "everything");

        assertThat(trie.match("a.a.a")).containsExactly("a-anywhere", "any", "everything");
        assertThat(trie.match("b.b")).containsExactly("any", "everything");
    }

    @Test
    void manyDoubleStarsOnALongTypeStayCheap() {
        trie.add("**.a.**.a.**.a.**.a.**.b", 0, "never");
        String type = String.join(".", java.util.Collections.nCopies(120, "a"));

        assertThat(trie.match(type)).isEmpty();
        assertThat(trie.match(type + ".b")).containsExactly("never");
    }

    @Test
    void sizeAndIsEmptyCountRegistrations() {
        assertThat(trie.isEmpty()).isTrue();
        PatternTrie.Registration<String> first = trie.add("a", 0, "x");
        trie.add("a", 0, "x");

        assertThat(trie.size()).isEqualTo(2);
        trie.remove(first);
        assertThat(trie.size()).isEqualTo(1);
        assertThat(trie.isEmpty()).isFalse();
    }

    @Test
    void registrationDescribesItsPatternPriorityAndOrder() {
        trie.add("x", 0, "first");
        PatternTrie.Registration<String> registration = trie.add("order.**", 7, "v");

        assertThat(registration.pattern()).isEqualTo(SignalPattern.compile("order.**"));
        assertThat(registration.priority()).isEqualTo(7);
        assertThat(registration.sequence()).isEqualTo(1);
        assertThat(registration.value()).isEqualTo("v");
    }

    @Test
    void addRejectsAnInvalidPatternAndRegistersNothing() {
        assertThatThrownBy(() -> trie.add("user*", 0, "x"))
                .isInstanceOf(InvalidPatternException.class)
                .hasMessage("invalid pattern 'user*': segment 1 mixes '*' with other characters");
        assertThat(trie.isEmpty()).isTrue();
    }

    @Test
    void matchRejectsAnInvalidTypeEvenWhenNoPatternCouldMatchIt() {
        trie.add("order.*", 0, "x");

        assertThatThrownBy(() -> trie.match("zzz.a..b"))
                .isInstanceOf(InvalidSignalException.class)
                .hasMessage("invalid signal type 'zzz.a..b': segment 3 is empty");
        assertThatThrownBy(() -> trie.match("order."))
                .isInstanceOf(InvalidSignalException.class)
                .hasMessage("invalid signal type 'order.': segment 2 is empty");
        assertThatThrownBy(() -> trie.match("a".repeat(256)))
                .isInstanceOf(InvalidSignalException.class)
                .hasMessageContaining("longer than 255 characters");
    }

    /**
     * Readers see every add and remove wholly or not at all, in order: the registrations they see
     * under one pattern are always a contiguous, ascending run of the writer's values.
     */
    @Test
    void concurrentMatchSeesConsistentSnapshotsWhileWritersAddAndRemove() throws Exception {
        PatternTrie<Integer> shared = new PatternTrie<>();
        shared.add("order.**", 100, -1);
        int writes = 500;
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                readers.add(pool.submit(() -> {
                    int checks = 0;
                    do {
                        List<Integer> seen = shared.match("order.created");
                        assertThat(seen.get(0)).isEqualTo(-1);
                        for (int i = 2; i < seen.size(); i++) {
                            assertThat(seen.get(i)).isEqualTo(seen.get(i - 1) + 1);
                        }
                        checks++;
                    } while (writing.get());
                    return checks;
                }));
            }
            Future<?> writer = pool.submit(() -> {
                try {
                    List<PatternTrie.Registration<Integer>> added = new ArrayList<>();
                    for (int i = 0; i < writes; i++) {
                        added.add(shared.add(i % 2 == 0 ? "order.created" : "order.*", 0, i));
                        shared.add("other.x" + i, 0, i);
                    }
                    added.forEach(shared::remove);
                } finally {
                    writing.set(false);
                }
            });
            writer.get(30, TimeUnit.SECONDS);
            for (Future<Integer> reader : readers) {
                assertThat(reader.get(30, TimeUnit.SECONDS)).isPositive();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(shared.match("order.created")).containsExactly(-1);
        assertThat(shared.size()).isEqualTo(1 + writes);
    }
}
