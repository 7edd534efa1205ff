package io.signalbus.jdbc;

import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * One {@code append} call on its way to the log: the signals with their encoded envelopes, and the
 * result its caller waits for.
 *
 * @param envelopes the CloudEvents JSON of each signal, encoded on the caller's thread
 */
record AppendRequest(String bus, List<Signal> signals, List<String> envelopes, Instant recordedAt,
        CompletableFuture<List<RecordedSignal>> result) {

    AppendRequest(String bus, List<Signal> signals, List<String> envelopes, Instant recordedAt) {
        this(bus, signals, envelopes, recordedAt, new CompletableFuture<>());
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
