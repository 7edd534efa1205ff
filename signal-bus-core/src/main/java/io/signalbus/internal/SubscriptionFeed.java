package io.signalbus.internal;

import io.signalbus.RecordedSignal;
import io.signalbus.store.SignalSize;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The signals a persistent subscription has not looked at yet, in position order: pages read ahead
 * from the log and signals handed on by this process's publishers as they commit. Hand-offs that
 * arrive before a lower one are held until the gap fills, or until a read of the log is due.
 *
 * <p>Pure state; callers pass {@code System.nanoTime()}. Bounded in signals and in bytes: reads and
 * hand-ons fill the buffer up to {@code bufferLimit} signals or {@code maxBufferBytes}, and held
 * hand-ons stay below both, so together they never pass twice that; held hand-ons never keep a read from starting (the read is what fills the gap
 * below them). Not thread-safe: its worker guards it with one lock.
 */
final class SubscriptionFeed {

    /**
     * One read of the log on its way: where it starts, when it started, and what it must know when it
     * comes back.
     */
    record Read(long after, long startedNanos, long hints, long generation) {
    }

    private static final int MAX_EARLY = 64;
    /** Bytes the buffer holds before reads wait ({@link SignalSize}); held hand-ons stay below it too. */
    static final long BUFFER_BYTES = 8L << 20;
    /** The lower hand-off is usually microseconds behind; if it does not come by then, read the store. */
    private static final long EARLY_GRACE_NANOS = 2_000_000;

    private final int readBatchSize;
    private final long pollIntervalNanos;
    private final int bufferLimit;
    private final long maxBufferBytes;
    /** Bytes one read may bring: a page of large signals is cut short, never loaded whole. */
    private final long pageBytes;
    /** Signals read or handed on, in position order, not yet looked at. */
    private final ArrayDeque<RecordedSignal> buffer = new ArrayDeque<>();
    /** Hand-offs that arrived before a lower one (publishers commit concurrently), by first position. */
    private final TreeMap<Long, List<RecordedSignal>> early = new TreeMap<>();
    private int earlySignals;
    private long bufferBytes;
    private long earlyBytes;
    /** Counts hand-offs that asked for a read, so a read in progress does not postpone them. */
    private long readHints;
    /** Every committed position at or below this is in the buffer or was looked at. */
    private long fetched;
    private boolean reading;
    /** Counts {@link #reset}s, so that a read started before one can tell. */
    private long generation;
    private long nextReadNanos;

    SubscriptionFeed(int readBatchSize, long pollIntervalNanos, long after, long nowNanos) {
        this(readBatchSize, pollIntervalNanos, after, nowNanos, BUFFER_BYTES);
    }

    SubscriptionFeed(int readBatchSize, long pollIntervalNanos, long after, long nowNanos, long maxBufferBytes) {
        this.maxBufferBytes = maxBufferBytes;
        this.pageBytes = maxBufferBytes / 2;
        this.readBatchSize = readBatchSize;
        this.pollIntervalNanos = pollIntervalNanos;
        this.bufferLimit = Math.max(readBatchSize * 2, 1024);
        this.fetched = after;
        this.nextReadNanos = nowNanos;
    }

    /** The next signal to look at, in position order; null when there is none. */
    @Nullable RecordedSignal poll() {
        RecordedSignal next = buffer.poll();
        if (next != null) {
            bufferBytes -= SignalSize.estimate(next.signal());
        }
        return next;
    }

    private void add(RecordedSignal recorded) {
        add(recorded, SignalSize.estimate(recorded.signal()));
    }

    private void add(RecordedSignal recorded, long bytes) {
        buffer.add(recorded);
        bufferBytes += bytes;
        fetched = recorded.position();
    }

    private static long bytes(List<RecordedSignal> signals) {
        long bytes = 0;
        for (RecordedSignal recorded : signals) {
            bytes += SignalSize.estimate(recorded.signal());
        }
        return bytes;
    }

    /**
     * Whether there is room to read another page now. Reads run ahead of delivery while the buffer
     * has room for a page (which bounds what a subscription holds); none while another read is on its
     * way.
     */
    boolean canReadAhead() {
        // held hand-ons do not count: they wait for this very read to fill the gap below them
        return !reading && buffer.size() + readBatchSize <= bufferLimit && bufferBytes + pageBytes <= maxBufferBytes;
    }

    /** Whether to read the next page now: there is room and a read that found the log's end is due again. */
    boolean readDue(long nowNanos) {
        return canReadAhead() && nowNanos - nextReadNanos >= 0;
    }

    /** How long until a read is due; only meaningful while {@link #canReadAhead()}. */
    long nanosUntilRead(long nowNanos) {
        return nextReadNanos - nowNanos;
    }

    /** The bytes a read may bring, at least one signal. */
    long pageBytes() {
        return pageBytes;
    }

    /** {@link #startRead} if a read is {@linkplain #readDue due} at {@code nowNanos}, else null. */
    @Nullable Read startReadIfDue(long nowNanos) {
        return readDue(nowNanos) ? startRead(nowNanos) : null;
    }

    /** Starts a read at {@code nowNanos}: no other starts until it {@linkplain #readDone finishes}. */
    Read startRead(long nowNanos) {
        reading = true;
        return new Read(fetched, nowNanos, readHints, generation);
    }

    /**
     * Takes a page read for {@code read}; false when the feed was reset since (the page is dropped).
     * After a read that found the end of the log with no hand-off asking for more and none held above
     * a gap, the next read is due one poll interval after this one started (so that polls are that far
     * apart, whatever a read takes), or after it ended if it took longer than that (a database that slow
     * is not read back to back); after a failed read, one poll interval after it failed.
     */
    boolean readDone(Read read, List<RecordedSignal> page, boolean failed, long nowNanos) {
        if (read.generation() != generation) {
            return false;
        }
        reading = false;
        long bytesRead = 0;
        for (RecordedSignal recorded : page) {
            long bytes = SignalSize.estimate(recorded.signal());
            bytesRead += bytes;
            if (recorded.position() > fetched) {
                add(recorded, bytes);
            }
        }
        takeEarly();
        // a page cut short by its bytes is not the end of the log; one that found the end waits for the poll,
        // unless hand-ons are still held above a gap: the read started before they came and may not see the
        // signals below them yet (appended by another process, which may not tell), so read again after the grace
        boolean full = page.size() >= readBatchSize || bytesRead > pageBytes / 2;
        if (failed || (!full && read.hints() == readHints)) {
            long polled = read.startedNanos() + pollIntervalNanos;
            if (failed) {
                nextReadNanos = nowNanos + pollIntervalNanos;
            } else if (!early.isEmpty()) {
                nextReadNanos = nowNanos + EARLY_GRACE_NANOS;
            } else {
                nextReadNanos = polled - nowNanos > 0 ? polled : nowNanos + pollIntervalNanos;
            }
        }
        return true;
    }

    /**
     * Signals just committed through this bus, in position order. Taking them directly saves a read
     * when they follow on from what this feed has; otherwise a read finds them.
     */
    void handOn(List<RecordedSignal> committed, long nowNanos) {
        RecordedSignal first = committed.get(0);
        RecordedSignal last = committed.get(committed.size() - 1);
        if (last.position() <= fetched) {
            return;
        }
        long bytes = bytes(committed);
        if (first.position() == fetched + 1 && buffer.size() + committed.size() <= bufferLimit
                && bufferBytes + bytes <= maxBufferBytes) {
            committed.forEach(this::add);
            takeEarly();
        } else if (first.position() > fetched + 1 && early.size() < MAX_EARLY
                && earlySignals + committed.size() + readBatchSize <= bufferLimit
                && earlyBytes + bytes + pageBytes <= maxBufferBytes) {
            early.put(first.position(), committed);
            earlySignals += committed.size();
            earlyBytes += bytes;
            long readAt = nowNanos + EARLY_GRACE_NANOS;
            if (nextReadNanos - readAt > 0) {
                nextReadNanos = readAt;
            }
        } else {
            nextReadNanos = nowNanos;
            readHints++;
        }
    }

    /** The log grew without a hand-on (another process appended): read now, and again if a read is on its way; true. */
    boolean readSoon(long nowNanos) {
        nextReadNanos = nowNanos;
        readHints++;
        return true;
    }

    /** Moves held hand-offs that now follow on from {@link #fetched} into the buffer. */
    private void takeEarly() {
        Map.Entry<Long, List<RecordedSignal>> entry;
        while ((entry = early.firstEntry()) != null && entry.getKey() <= fetched + 1) {
            early.pollFirstEntry();
            earlySignals -= entry.getValue().size();
            earlyBytes -= bytes(entry.getValue());
            for (RecordedSignal recorded : entry.getValue()) {
                if (recorded.position() > fetched) {
                    add(recorded);
                }
            }
        }
    }

    /** Forgets everything and starts again after {@code position}, reading at once; a read on its way is dropped. */
    void reset(long position, long nowNanos) {
        generation++;
        reading = false;
        buffer.clear();
        early.clear();
        earlySignals = 0;
        bufferBytes = 0;
        earlyBytes = 0;
        fetched = position;
        nextReadNanos = nowNanos;
    }
}
