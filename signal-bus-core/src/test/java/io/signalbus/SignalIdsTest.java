package io.signalbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SignalIdsTest {

    @Test
    void idsFromOneThreadStrictlyIncreaseAsStringsAndAsUuids() {
        String previous = SignalIds.next();
        for (int i = 0; i < 100_000; i++) {
            String next = SignalIds.next();
            assertThat(next).isGreaterThan(previous);
            assertThat(UUID.fromString(next)).isGreaterThan(UUID.fromString(previous));
            previous = next;
        }
    }

    @Test
    void idsFromFourConcurrentThreadsAreUniqueAndIncreasePerThread() throws Exception {
        int threads = 4;
        int perThread = 25_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<String>>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    start.await();
                    List<String> ids = new ArrayList<>(perThread);
                    for (int i = 0; i < perThread; i++) {
                        ids.add(SignalIds.next());
                    }
                    return ids;
                }));
            }
            start.countDown();
            TreeSet<String> all = new TreeSet<>();
            for (Future<List<String>> result : results) {
                List<String> ids = result.get();
                assertThat(ids).isSortedAccordingTo(String::compareTo).doesNotHaveDuplicates();
                all.addAll(ids);
            }
            assertThat(all).hasSize(threads * perThread);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void idsAreVersion7WithRfc9562VariantInCanonicalForm() {
        String id = SignalIds.next();

        UUID uuid = UUID.fromString(id);
        assertThat(uuid.version()).isEqualTo(7);
        assertThat(uuid.variant()).isEqualTo(2);
        assertThat(uuid.toString()).isEqualTo(id);
        assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
    }

    @Test
    void timestampOfReturnsTheMillisecondOfGeneration() {
        Instant before = Instant.now().minusMillis(1);
        Instant stamped = SignalIds.timestampOf(SignalIds.next());
        Instant after = Instant.now().plusSeconds(1);

        assertThat(stamped).isBetween(before, after);
    }

    @Test
    void timestampOfRejectsIdsThatAreNotUuidV7() {
        String v4 = UUID.randomUUID().toString();
        assertThatThrownBy(() -> SignalIds.timestampOf(v4))
                .isInstanceOf(InvalidOptionException.class).hasMessageContaining(v4);
        assertThatThrownBy(() -> SignalIds.timestampOf("order-42"))
                .isInstanceOf(InvalidOptionException.class).hasMessageContaining("order-42");
    }

    @Test
    void idsKeepIncreasingWhenTheClockStepsBack() {
        AtomicLong clock = new AtomicLong(1_700_000_000_000L);
        SignalIds.Generator generator = new SignalIds.Generator(clock::get);
        UUID before = generator.nextUuid();

        clock.addAndGet(-10_000);
        UUID after = generator.nextUuid();

        assertThat(after).isGreaterThan(before);
        assertThat(after.toString()).isGreaterThan(before.toString());
        assertThat(after.getMostSignificantBits() >>> 16).isEqualTo(1_700_000_000_000L);
    }

    @Test
    void exhaustedMillisecondCounterBorrowsTheNextMillisecond() {
        long millis = 1_700_000_000_000L;
        SignalIds.Generator generator = new SignalIds.Generator(() -> millis);
        UUID previous = generator.nextUuid();
        for (int i = 1; i < 4096; i++) {
            UUID next = generator.nextUuid();
            assertThat(next).isGreaterThan(previous);
            previous = next;
        }
        assertThat(previous.getMostSignificantBits() >>> 16).isEqualTo(millis);

        UUID borrowed = generator.nextUuid();

        assertThat(borrowed).isGreaterThan(previous);
        assertThat(borrowed.getMostSignificantBits() >>> 16).isEqualTo(millis + 1);
        assertThat(borrowed.version()).isEqualTo(7);
    }
}
