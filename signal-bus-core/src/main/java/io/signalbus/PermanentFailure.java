package io.signalbus;

/**
 * Marks a failure that retrying cannot fix (for example data that cannot be converted to the
 * listener's payload type): a delivery that fails with it is dead-lettered at once instead of
 * being retried. Implement it on your own exceptions to get the same treatment.
 */
public interface PermanentFailure {
}
