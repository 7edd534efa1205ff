package io.signalbus.jdbc;

import io.signalbus.PublishOutcomeUnknownException;
import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import io.signalbus.SignalStoreException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code append} call on its way to the log: the signals with their encoded envelopes, what to
 * hand the committed signals to, and the result its caller waits for. Once queued, exactly one side
 * settles who owns it: the writer {@linkplain #take() takes} it to write it, or the caller
 * {@linkplain #withdraw() withdraws} it when it stops waiting first, and then it is never written.
 */
final class AppendRequest {

    private static final Logger log = LoggerFactory.getLogger(AppendRequest.class);

    private final String bus;
    private final List<Signal> signals;
    private final List<String> envelopes;
    private final Instant recordedAt;
    private final Consumer<List<RecordedSignal>> committed;
    private final CompletableFuture<List<RecordedSignal>> result = new CompletableFuture<>();
    /** Set by whoever settles the request first: the writer that takes it, or the caller that withdraws it. */
    private final AtomicBoolean settled = new AtomicBoolean();

    /**
     * @param envelopes the CloudEvents JSON of each signal, encoded on the caller's thread
     * @param committed takes the recorded signals once they are committed ({@link #handOn}), before the
     *                  caller is told
     */
    AppendRequest(String bus, List<Signal> signals, List<String> envelopes, Instant recordedAt,
            Consumer<List<RecordedSignal>> committed) {
        this.bus = bus;
        this.signals = signals;
        this.envelopes = envelopes;
        this.recordedAt = recordedAt;
        this.committed = committed;
    }

    /** A request whose committed signals go nowhere but to its caller. */
    AppendRequest(String bus, List<Signal> signals, List<String> envelopes, Instant recordedAt) {
        this(bus, signals, envelopes, recordedAt, recorded -> { });
    }

    String bus() {
        return bus;
    }

    List<Signal> signals() {
        return signals;
    }

    List<String> envelopes() {
        return envelopes;
    }

    Instant recordedAt() {
        return recordedAt;
    }

    Consumer<List<RecordedSignal>> committed() {
        return committed;
    }

    CompletableFuture<List<RecordedSignal>> result() {
        return result;
    }

    int size() {
        return signals.size();
    }

    /** The characters of all its envelopes (what bounds a statement's size). */
    long envelopeChars() {
        long chars = 0;
        for (String envelope : envelopes) {
            chars += envelope.length();
        }
        return chars;
    }

    /** For the writer: whether it may write this request (false: its caller withdrew it). */
    boolean take() {
        return settled.compareAndSet(false, true);
    }

    /** For the caller: whether it withdrew the request before the writer took it; then it is never written. */
    private boolean withdraw() {
        return settled.compareAndSet(false, true);
    }

    /** After the commit: hands the signals on ({@link #committed}), logging a failure rather than throwing it. */
    void handOn(List<RecordedSignal> recorded) {
        try {
            committed.accept(recorded);
        } catch (RuntimeException e) {
            log.warn("signal-bus: handing committed signals of bus '{}' to its subscribers failed; they read them"
                    + " from the log instead", bus, e);
        }
    }

    /** Waits for the result without a deadline: for a request written on the caller's own thread. */
    List<RecordedSignal> await() {
        try {
            return result.join();
        } catch (CompletionException e) {
            throw unwrap(e.getCause());
        }
    }

    /**
     * Waits for the writer until {@code deadline} ({@link System#nanoTime()}). A caller that stops
     * waiting (the deadline passes, or its thread is interrupted, whose flag stays set) withdraws the
     * request if the writer has not taken it yet, and is told nothing was written; otherwise the write
     * may be under way and the outcome is unknown.
     *
     * @throws SignalStoreException            nothing was written
     * @throws PublishOutcomeUnknownException  the caller stopped waiting while the signals were being written
     */
    List<RecordedSignal> await(long deadline, Duration timeout) {
        String reason;
        Throwable cause;
        try {
            return result.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        } catch (TimeoutException e) {
            reason = "the publish timeout of " + timeout + " passed";
            cause = e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            reason = "the publishing thread was interrupted";
            cause = e;
        }
        if (withdraw()) {
            throw new SignalStoreException("could not append " + size() + " signals to bus '" + bus + "': " + reason
                    + " while earlier appends were being written; nothing was written", cause);
        }
        if (result.isDone()) { // the writer finished between the wait and the withdrawal
            return await();
        }
        throw new PublishOutcomeUnknownException("stopped waiting for the append of " + size() + " signals to bus '"
                + bus + "': " + reason + " while they were being written", cause);
    }

    private static RuntimeException unwrap(@Nullable Throwable failure) {
        if (failure instanceof RuntimeException runtime) {
            return runtime;
        }
        if (failure instanceof Error error) {
            throw error;
        }
        return new IllegalStateException(failure != null ? failure.getMessage() : "the append failed", failure);
    }
}
