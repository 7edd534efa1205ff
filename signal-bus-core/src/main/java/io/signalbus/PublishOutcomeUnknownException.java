package io.signalbus;

/**
 * A publish stopped waiting, or lost its connection, after its signals may have reached the
 * database: they may or may not be in the log. The caller's publish timeout passed (or its thread
 * was interrupted) while the store was writing them, or the connection failed while the write was
 * on its way.
 *
 * <p>Publishing the same signals again with the same ids is safe: signal ids are unique per bus,
 * so nothing is logged twice. If the first attempt was committed, the retry fails with an
 * {@link InvalidSignalException} saying the id is already in the log (and at which position); treat
 * that as success. A {@link Signal} gets its id when it is created (generated unless set), so
 * publishing the same {@code Signal} objects again reuses their ids.
 */
public class PublishOutcomeUnknownException extends SignalBusException {

    /** Appends the retry advice to {@code message}. */
    public PublishOutcomeUnknownException(String message, Throwable cause) {
        super(message + ". The signals may or may not have been committed; publishing them again with the same"
                + " ids is safe: a signal already in the log is rejected with InvalidSignalException, never logged"
                + " twice", cause);
    }
}
