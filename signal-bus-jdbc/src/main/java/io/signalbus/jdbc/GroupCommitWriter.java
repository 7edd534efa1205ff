package io.signalbus.jdbc;

import io.signalbus.RecordedSignal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coalesces appends from many threads into shared transactions: callers queue their request and
 * wait; one writer thread takes whatever has queued up while it was committing the previous group
 * and writes it in one transaction. Small transactions are dominated by their fixed cost (round
 * trips, the WAL flush, the bus head lock held through both), so under concurrency this multiplies
 * throughput; a lone caller pays only a thread hand-off. Before
 * it commits, the writer waits briefly (half the last commit's time, at most 1 ms) until as many
 * requests have queued as took part in the last group or arrived during it: callers whose appends
 * just committed usually come straight back with the next, and would otherwise miss the group by
 * microseconds and wait a whole commit. When a group fails (one request has a duplicate id, say),
 * its requests are retried one by one, so only the bad one fails. After a commit the writer hands
 * each request's signals on ({@link AppendRequest#handOn}) in group order, which within a bus is
 * position order, before it wakes the callers: subscribers get them in order, not as the callers'
 * threads happen to run.
 */
final class GroupCommitWriter implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);

    /** The longest the writer waits for more callers before it commits a group. */
    private static final long MAX_LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** Tells the writer thread to stop; never handed to a caller. */
    private static final AppendRequest STOP = new AppendRequest("", List.of(), List.of(), Instant.EPOCH);

    private final String threadName;
    private final int maxGroupSignals;
    private final BlockingQueue<AppendRequest> queue;
    private final Function<List<AppendRequest>, List<List<RecordedSignal>>> writeGroup;
    private final Function<AppendRequest, List<RecordedSignal>> writeAlone;
    private volatile @Nullable Thread writer;
    private volatile boolean closed;
    /** While the writer waits for more requests: the queue size at which a caller wakes it. */
    private volatile int wakeWriterAt = Integer.MAX_VALUE;

    /**
     * @param capacity        requests that may wait; callers block beyond it
     * @param maxGroupSignals signals per shared transaction (a larger single request still goes alone)
     * @param writeGroup      writes a group in one transaction, all or nothing
     * @param writeAlone      writes one request in its own transaction, failing with the caller's exception
     */
    GroupCommitWriter(String threadName, int capacity, int maxGroupSignals,
            Function<List<AppendRequest>, List<List<RecordedSignal>>> writeGroup,
            Function<AppendRequest, List<RecordedSignal>> writeAlone) {
        this.threadName = threadName;
        this.maxGroupSignals = maxGroupSignals;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writeGroup = writeGroup;
        this.writeAlone = writeAlone;
    }

    /** Appends through the writer thread and waits for the commit; after {@link #close()}, appends alone. */
    List<RecordedSignal> append(AppendRequest request) {
        if (closed || !ensureStarted()) {
            writeAlone(request);
            return request.await();
        }
        putUninterruptibly(request);
        if (queue.size() >= wakeWriterAt) {
            LockSupport.unpark(writer);
        }
        if (closed && queue.remove(request)) {
            writeAlone(request); // queued after the writer stopped and the queue was drained
        }
        return request.await();
    }

    /** Requests waiting for the writer. */
    int queued() {
        return queue.size();
    }

    private synchronized boolean ensureStarted() {
        if (closed) {
            return false;
        }
        if (writer == null) {
            Thread thread = new Thread(this::run, threadName);
            thread.setDaemon(true);
            thread.start();
            writer = thread;
        }
        return true;
    }

    private void run() {
        var group = new ArrayList<AppendRequest>();
        int expected = 1;
        long lastWriteNanos = 0;
        while (true) {
            AppendRequest first = takeUninterruptibly();
            if (first == STOP) {
                return;
            }
            group.clear();
            group.add(first);
            int signals = drainInto(group, first.size());
            // Callers whose appends just committed usually come straight back: wait a little for them
            // rather than commit a small group and leave them for the next one.
            int missing = expected - group.size();
            if (missing > 0 && signals < maxGroupSignals) {
                awaitQueued(missing, System.nanoTime() + Math.min(MAX_LINGER_NANOS, lastWriteNanos / 2));
                signals = drainInto(group, signals);
            }
            long started = System.nanoTime();
            int queuedMeanwhile = write(group);
            lastWriteNanos = System.nanoTime() - started;
            // the group's callers come back, joined by those that queued during the write; counting the
            // queue after completing the group would count the quick returners twice and make every
            // group wait out the linger for callers that never come
            expected = group.size() + queuedMeanwhile;
        }
    }

    /** Moves queued requests into the group while it has room; leaves STOP queued for the next take. */
    private int drainInto(List<AppendRequest> group, int signals) {
        AppendRequest next;
        while ((next = queue.peek()) != null && next != STOP && signals + next.size() <= maxGroupSignals) {
            group.add(queue.poll());
            signals += next.size();
        }
        return signals;
    }

    /** Parks until {@code count} requests are queued (callers wake it) or the deadline passes. */
    private void awaitQueued(int count, long deadline) {
        wakeWriterAt = count;
        try {
            long left;
            while (queue.size() < count && (left = deadline - System.nanoTime()) > 0) {
                LockSupport.parkNanos(this, left);
            }
        } finally {
            wakeWriterAt = Integer.MAX_VALUE;
        }
    }

    /** Writes and completes the group; returns how many requests queued while it was written. */
    private int write(List<AppendRequest> group) {
        if (group.size() == 1) {
            return writeAlone(group.get(0));
        }
        List<List<RecordedSignal>> results;
        try {
            results = writeGroup.apply(group);
        } catch (RuntimeException | Error e) {
            log.debug("a group of {} appends failed; writing them one by one", group.size(), e);
            int queued = 0;
            for (AppendRequest request : group) {
                queued = writeAlone(request);
            }
            return queued;
        }
        int queued = queue.size();
        for (int i = 0; i < group.size(); i++) {
            group.get(i).handOn(results.get(i)); // in group order, which is position order within a bus
        }
        for (int i = 0; i < group.size(); i++) {
            group.get(i).result().complete(results.get(i));
        }
        return queued;
    }

    private int writeAlone(AppendRequest request) {
        List<RecordedSignal> result;
        try {
            result = writeAlone.apply(request);
        } catch (RuntimeException | Error e) {
            int queued = queue.size();
            request.result().completeExceptionally(e);
            return queued;
        }
        int queued = queue.size();
        request.handOn(result);
        request.result().complete(result);
        return queued;
    }

    /** Lets the writer finish what is queued, stops it, and writes anything queued meanwhile alone. */
    @Override
    public void close() {
        Thread thread;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            thread = writer;
        }
        if (thread != null) {
            putUninterruptibly(STOP);
            boolean interrupted = false;
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        AppendRequest left;
        while ((left = queue.poll()) != null) {
            if (left != STOP) {
                writeAlone(left);
            }
        }
    }

    private void putUninterruptibly(AppendRequest request) {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    queue.put(request);
                    return;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private AppendRequest takeUninterruptibly() {
        while (true) {
            try {
                return queue.take();
            } catch (InterruptedException e) {
                // only close() stops the writer: a request in the queue must still be answered
            }
        }
    }
}
