package io.signalbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** The feed's ordering and read-ahead, driven by hand: no threads, no store; time is passed in. */
class SubscriptionFeedTest {

    private static final int PAGE = 500;
    private static final long POLL = 500_000_000L;
    private static final long NOW = 1_000_000_000L;
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private final SubscriptionFeed feed = new SubscriptionFeed(PAGE, POLL, 0, NOW);

    private static List<RecordedSignal> range(long from, long to) {
        return LongStream.rangeClosed(from, to)
                .mapToObj(p -> new RecordedSignal(p, Signal.of("order.created", "/test", null), T0)).toList();
    }

    private List<Long> drain() {
        var positions = new ArrayList<Long>();
        RecordedSignal next;
        while ((next = feed.poll()) != null) {
            positions.add(next.position());
        }
        return positions;
    }

    @Test
    void handOnThatFollowsOnIsTakenWithoutARead() {
        feed.readDone(feed.startRead(NOW), List.of(), false, NOW);

        feed.handOn(range(1, 3), NOW);

        assertThat(drain()).containsExactly(1L, 2L, 3L);
        assertThat(feed.readDue(NOW + 1)).as("caught up: the next read waits for the poll").isFalse();
    }

    @Test
    void earlyHandOnWaitsForTheLowerOneAndThenFollowsInOrder() {
        feed.readDone(feed.startRead(NOW), List.of(), false, NOW);

        feed.handOn(range(3, 4), NOW);
        assertThat(drain()).isEmpty();
        feed.handOn(range(1, 2), NOW);

        assertThat(drain()).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void earlyHandOnThatStaysAloneMakesAReadDueAfterAShortGrace() {
        feed.readDone(feed.startRead(NOW), List.of(), false, NOW);

        feed.handOn(range(5, 6), NOW);

        assertThat(feed.readDue(NOW + 1_000_000)).isFalse();
        assertThat(feed.readDue(NOW + 2_000_000)).isTrue();
        SubscriptionFeed.Read read = feed.startRead(NOW + 2_000_000);
        assertThat(read.after()).isZero();
        feed.readDone(read, range(1, 6), false, NOW + 3_000_000);
        assertThat(drain()).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
    }

    /**
     * Another process appended 1-4 (this one is not told: poll-only); a read on its way sees only 1-2
     * when this process hands on 5-6. The read must not put the gap off to the next poll.
     */
    @Test
    void earlyHandOnDuringAReadThatEndsShortOfItIsReadForAfterTheGraceNotAtTheNextPoll() {
        SubscriptionFeed.Read read = feed.startRead(NOW);
        feed.handOn(range(5, 6), NOW);

        feed.readDone(read, range(1, 2), false, NOW + 1_000_000);

        assertThat(drain()).containsExactly(1L, 2L);
        assertThat(feed.readDue(NOW + 3_000_000)).as("a read for 3-4 is due after the grace").isTrue();
        SubscriptionFeed.Read next = feed.startRead(NOW + 3_000_000);
        assertThat(next.after()).isEqualTo(2);
        feed.readDone(next, range(3, 6), false, NOW + 3_000_000);
        assertThat(drain()).containsExactly(3L, 4L, 5L, 6L);
        assertThat(feed.readDue(NOW + 4_000_000)).as("caught up: the next read waits for the poll").isFalse();
    }

    /** A catch-up while publishers keep handing on: the held hand-ons must never stop the reads that fill the gap. */
    @Test
    void heldHandOnsNeverKeepTheReadThatFillsTheGapFromStarting() {
        for (long first = 1001; first < 1001 + 64 * 10; first += 10) {
            feed.handOn(range(first, first + 9), NOW);
        }

        var delivered = new ArrayList<Long>();
        for (int page = 0; page < 2; page++) {
            assertThat(feed.readDue(NOW)).as("read %d is due", page + 1).isTrue();
            SubscriptionFeed.Read read = feed.startRead(NOW);
            feed.readDone(read, range(read.after() + 1, read.after() + PAGE), false, NOW);
            delivered.addAll(drain());
        }

        assertThat(delivered).hasSizeGreaterThan(1000).startsWith(1L, 2L).doesNotHaveDuplicates();
        assertThat(delivered).isSorted();
        assertThat(delivered.get(delivered.size() - 1) - delivered.size()).as("no gap").isZero();
    }

    @Test
    void readStartedBeforeAResetIsDropped() {
        SubscriptionFeed.Read stale = feed.startRead(NOW);
        feed.reset(10, NOW);

        assertThat(feed.readDone(stale, range(1, 5), false, NOW)).isFalse();
        assertThat(feed.poll()).isNull();
        assertThat(feed.startRead(NOW).after()).isEqualTo(10);
    }

    /** Poll-only, what another process appended is found a poll interval after the last read started. */
    @Test
    void readThatFoundTheEndMakesTheNextDueOnePollIntervalAfterItStarted() {
        feed.readDone(feed.startRead(NOW), List.of(), false, NOW + 300_000_000);

        assertThat(feed.readDue(NOW + POLL - 1)).isFalse();
        assertThat(feed.readDue(NOW + POLL)).isTrue();
    }

    @Test
    void readSlowerThanThePollIntervalMakesTheNextWaitAWholeIntervalAfterIt() {
        feed.readDone(feed.startRead(NOW), List.of(), false, NOW + POLL + 1);

        assertThat(feed.readDue(NOW + POLL + 1)).as("not back to back").isFalse();
        assertThat(feed.readDue(NOW + 2 * POLL + 1)).isTrue();
    }

    @Test
    void failedReadIsRetriedOnePollIntervalAfterItFailed() {
        feed.readDone(feed.startRead(NOW), List.of(), true, NOW + 300_000_000);

        assertThat(feed.readDue(NOW + 300_000_000 + POLL - 1)).isFalse();
        assertThat(feed.readDue(NOW + 300_000_000 + POLL)).isTrue();
    }

    @Test
    void readsWaitWhileTheBufferHoldsItsBytesAndAPageCutByBytesIsReadOnAtOnce() {
        var small = new SubscriptionFeed(PAGE, POLL, 0, NOW, 40_000); // pages of 20,000 bytes
        List<RecordedSignal> large = LongStream.rangeClosed(1, 3).mapToObj(p -> new RecordedSignal(p,
                Signal.of("big", "/test", "x".repeat(15_000)), T0)).toList();

        small.readDone(small.startRead(NOW), large.subList(0, 2), false, NOW);

        assertThat(small.readDue(NOW)).as("30 KB buffered: no room for a 20 KB page").isFalse();
        small.poll();
        assertThat(small.readDue(NOW)).as("a page cut short by its bytes is not the end of the log").isTrue();
        assertThat(small.pageBytes()).isEqualTo(20_000);
    }
}
