package io.signalbus.jdbc;

import io.signalbus.PublishOutcomeUnknownException;
import io.signalbus.RecordedSignal;
import io.signalbus.SignalStoreException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
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
 *
 * <p><b>Bounded waits.</b> A caller waits at most the publish timeout, queueing included, and stops
 * waiting when interrupted ({@link AppendRequest#await(long, Duration)}: nothing written if the writer
 * had not taken its request yet, else outcome unknown). The queue is bounded. While the database is
 * unavailable, callers fail at once instead of queueing: for {@link #FAIL_FAST_NANOS} after a write
 * failed for want of a connection (the next caller after that tries again; callers that had queued
 * before the failure fail too), and while the write in progress has run longer than the publish
 * timeout (a connection that stopped answering). A group that fails for want of a connection, or runs
 * out of its query timeout, is not retried one by one: each of its callers gets the failure.
 */
final class GroupCommitWriter implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(GroupCommitWriter.class);

    /** The longest the writer waits for more callers before it commits a group. */
    private static final long MAX_LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /** After a write failed for want of a connection, how long callers fail at once rather than queue. */
    private static final long FAIL_FAST_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** Tells the writer thread to stop; never handed to a caller. */
    private static final AppendRequest STOP = new AppendRequest("", List.of(), List.of(), Instant.EPOCH);

    /** What the writer writes with. */
    interface Log {

        /** Writes a group in one transaction, all or nothing; throws the database's exception. */
        List<List<RecordedSignal>> writeGroup(List<AppendRequest> group);

        /** Writes one request in its own transaction, failing with the exception its caller should see. */
        List<RecordedSignal> writeAlone(AppendRequest request);

        /** The exception the caller of {@code request} should see when its group failed with {@code failure}. */
        RuntimeException failure(AppendRequest request, RuntimeException failure);

        /** Whether {@code failure} says the database cannot be reached (rather than that a request is bad). */
        boolean unavailable(Throwable failure);

        /**
         * Whether a request of a group that failed with {@code failure} may be to blame (a duplicate id),
         * so that writing the requests one by one lets the others through; else each gets the failure.
         */
        boolean retryAlone(RuntimeException failure);
    }

    /** The last failure for want of a connection, with its {@link System#nanoTime()}. */
    private record Outage(long at, Throwable failure) {
    }

    private final String threadName;
    private final int maxGroupSignals;
    private final Duration publishTimeout;
    private final long publishTimeoutNanos;
    private final BlockingQueue<AppendRequest> queue;
    private final Log log;
    private volatile @Nullable Thread writer;
    private volatile boolean closed;
    /** While the writer waits for more requests: the queue size at which a caller wakes it. */
    private volatile int wakeWriterAt = Integer.MAX_VALUE;
    private volatile @Nullable Outage outage;
    /** The {@link System#nanoTime()} at which the write in progress started; 0 between writes. */
    private volatile long writingSince;

    /**
     * @param capacity        requests that may wait; callers wait for room within their publish timeout
     * @param maxGroupSignals signals per shared transaction (a larger single request still goes alone)
     * @param publishTimeout  the longest a caller waits, queueing included
     */
    GroupCommitWriter(String threadName, int capacity, int maxGroupSignals, Duration publishTimeout, Log log) {
        this.threadName = threadName;
        this.maxGroupSignals = maxGroupSignals;
        this.publishTimeout = publishTimeout;
        this.publishTimeoutNanos = publishTimeout.toNanos();
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.log = log;
    }

    /**
     * Appends through the writer thread and waits for the commit, at most the publish timeout;
     * after {@link #close()}, appends alone on the caller's thread.
     *
     * @throws SignalStoreException           nothing was written (also: the database is unavailable)
     * @throws PublishOutcomeUnknownException the caller stopped waiting while its signals were being written
     */
    List<RecordedSignal> append(AppendRequest request) {
        if (closed || !ensureStarted()) {
            writeAlone(request);
            return request.await();
        }
        long deadline = System.nanoTime() + publishTimeoutNanos;
        failFastWhileUnavailable(request);
        try {
            if (!queue.offer(request, publishTimeoutNanos, TimeUnit.NANOSECONDS)) {
                throw notWritten(request, "the write queue stayed full for the publish timeout of " + publishTimeout,
                        null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw notWritten(request, "the publishing thread was interrupted while it waited for room in the write"
                    + " queue", e);
        }
        if (queue.size() >= wakeWriterAt) {
            LockSupport.unpark(writer);
        }
        if (closed && request.take()) {
            writeAlone(request); // queued after the writer stopped and the queue was drained
            return request.await();
        }
        return request.await(deadline, publishTimeout);
    }

    /** Fails at once, writing nothing, while the database is known to be unavailable. */
    private void failFastWhileUnavailable(AppendRequest request) {
        long now = System.nanoTime();
        SignalStoreException unavailable = unavailableNow(request, now);
        if (unavailable != null) {
            throw unavailable;
        }
        long since = writingSince;
        if (since != 0 && now - since > publishTimeoutNanos) {
            throw notWritten(request, "the database has not answered the write in progress for " + millis(now - since)
                    + " ms, longer than the publish timeout of " + publishTimeout + " (a connection that stopped"
                    + " answering: set the driver's socket timeout)", null);
        }
    }

    /** The failure of {@code request} while a write failed for want of a connection a moment ago; else null. */
    private @Nullable SignalStoreException unavailableNow(AppendRequest request, long now) {
        Outage last = outage;
        if (last == null || now - last.at() >= FAIL_FAST_NANOS) {
            return null;
        }
        return notWritten(request, "the database was unavailable " + millis(now - last.at()) + " ms ago ("
                + JdbcSignalStore.message(last.failure()) + "); appends fail at once for " + millis(FAIL_FAST_NANOS)
                + " ms after such a failure", last.failure());
    }

    private static SignalStoreException notWritten(AppendRequest request, String reason, @Nullable Throwable cause) {
        String message = "could not append " + request.size() + " signals to bus '" + request.bus() + "': " + reason
                + "; nothing was written";
        return cause == null ? new SignalStoreException(message) : new SignalStoreException(message, cause);
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
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
            if (!first.take()) {
                continue; // its caller stopped waiting
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

    /**
     * Moves queued requests into the group while it has room, skipping those their callers withdrew;
     * leaves STOP queued for the next take. Only this thread removes from the queue while it runs.
     */
    private int drainInto(List<AppendRequest> group, int signals) {
        AppendRequest next;
        while ((next = queue.peek()) != null && next != STOP && signals + next.size() <= maxGroupSignals) {
            queue.poll();
            if (next.take()) {
                group.add(next);
                signals += next.size();
            }
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
        long now = System.nanoTime();
        if (unavailableNow(group.get(0), now) != null) { // queued before the failure: fail them too
            int queued = queue.size();
            group.forEach(request -> request.result().completeExceptionally(unavailableNow(request, now)));
            return queued;
        }
        if (group.size() == 1) {
            return writeAlone(group.get(0));
        }
        List<List<RecordedSignal>> results;
        try {
            results = writeGroup(group);
        } catch (RuntimeException | Error e) {
            if (e instanceof RuntimeException failure && !log.retryAlone(failure)) {
                if (log.unavailable(failure)) {
                    outage = new Outage(System.nanoTime(), failure);
                }
                int queued = queue.size();
                group.forEach(request -> request.result().completeExceptionally(log.failure(request, failure)));
                return queued;
            }
            logger.debug("a group of {} appends failed; writing them one by one", group.size(), e);
            int queued = 0;
            for (AppendRequest request : group) {
                queued = writeAlone(request);
            }
            return queued;
        }
        outage = null;
        int queued = queue.size();
        for (int i = 0; i < group.size(); i++) {
            group.get(i).handOn(results.get(i)); // in group order, which is position order within a bus
        }
        for (int i = 0; i < group.size(); i++) {
            group.get(i).result().complete(results.get(i));
        }
        return queued;
    }

    private List<List<RecordedSignal>> writeGroup(List<AppendRequest> group) {
        writingSince = System.nanoTime();
        try {
            return log.writeGroup(group);
        } finally {
            writingSince = 0;
        }
    }

    private int writeAlone(AppendRequest request) {
        List<RecordedSignal> result;
        writingSince = System.nanoTime();
        try {
            result = log.writeAlone(request);
        } catch (RuntimeException | Error e) {
            if (log.unavailable(e)) {
                outage = new Outage(System.nanoTime(), e);
            }
            int queued = queue.size();
            request.result().completeExceptionally(e);
            return queued;
        } finally {
            writingSince = 0;
        }
        outage = null;
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
            Uninterruptibly.join(thread);
        }
        AppendRequest left;
        while ((left = queue.poll()) != null) {
            if (left != STOP && left.take()) {
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
