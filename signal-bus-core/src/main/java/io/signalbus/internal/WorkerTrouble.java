package io.signalbus.internal;

import org.jspecify.annotations.Nullable;

/**
 * What is wrong with one worker, for its status: the troubles that keep it from delivering (its
 * dispatcher failing, the log unreadable, a dead letter that cannot be stored), each until it clears,
 * and the last failure of any kind ({@code Type: message}). Thread-safe.
 */
final class WorkerTrouble {

    /** Why the dispatcher loop last failed, until a turn succeeds again. */
    private volatile @Nullable String dispatch;
    /** Why the last read of the log failed, until one succeeds. */
    private volatile @Nullable String read;
    /** Why the last dead letter could not be stored, until one is. */
    private volatile @Nullable String deadLetter;
    /** The last failure of any kind: a delivery's, a read's or the dispatcher's. */
    private volatile @Nullable String lastError;

    void dispatch(@Nullable Throwable failure) {
        dispatch = failure == null ? null : failed(Errors.describe(failure));
    }

    void read(@Nullable String trouble) {
        read = trouble == null ? null : failed(trouble);
    }

    void deadLetter(@Nullable String trouble) {
        deadLetter = trouble == null ? null : failed(trouble);
    }

    /** A failure that stops nothing (a delivery's): only remembered as the last one. */
    String failed(String error) {
        lastError = error;
        return error;
    }

    /** Whether the worker is stuck now: its dispatcher failed, or it cannot read the log or store a dead letter. */
    boolean isRecovering() {
        return dispatch != null || read != null || deadLetter != null;
    }

    @Nullable String lastError() {
        return lastError;
    }
}
