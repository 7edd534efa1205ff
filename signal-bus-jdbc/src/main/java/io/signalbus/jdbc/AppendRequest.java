package io.signalbus.jdbc;

import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code append} call on its way to the log: the signals with their encoded envelopes, what to
 * hand the committed signals to, and the result its caller waits for.
 *
 * @param envelopes the CloudEvents JSON of each signal, encoded on the caller's thread
 * @param committed takes the recorded signals once they are committed ({@link #handOn}), before the
 *                  caller is told
 */
record AppendRequest(String bus, List<Signal> signals, List<String> envelopes, Instant recordedAt,
        Consumer<List<RecordedSignal>> committed, CompletableFuture<List<RecordedSignal>> result) {

    private static final Logger log = LoggerFactory.getLogger(AppendRequest.class);

    AppendRequest(String bus, List<Signal> signals, List<String> envelopes, Instant recordedAt,
            Consumer<List<RecordedSignal>> committed) {
        this(bus, signals, envelopes, recordedAt, committed, new CompletableFuture<>());
    }

    /** A request whose committed signals go nowhere but to its caller. */
    AppendRequest(String bus, List<Signal> signals, List<String> envelopes, Instant recordedAt) {
        this(bus, signals, envelopes, recordedAt, recorded -> { });
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

    int size() {
        return signals.size();
    }

    /**
     * Waits for the writer, without giving up when interrupted: once queued, the append may commit,
     * and a caller must not be told it failed when it did not.
     */
    List<RecordedSignal> await() {
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return result.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof RuntimeException failure) {
                        throw failure;
                    }
                    if (e.getCause() instanceof Error error) {
                        throw error;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
