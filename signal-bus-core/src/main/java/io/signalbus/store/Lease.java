package io.signalbus.store;

import java.time.Instant;

/**
 * A claim on a persistent subscription as the store granted it ({@link SignalStore#claim}).
 *
 * @param owner the process that holds the claim
 * @param epoch the fencing token: it grows every time the claim changes hands or is taken after its
 *     lease ended, and stays the same across renewals by the same owner; every write of a
 *     subscription's state carries it ({@link SignalStore#saveCheckpoint}, {@link SignalStore#saveAttempts},
 *     {@link SignalStore#addDeadLetter})
 * @param leaseUntil when the lease ends, on the store's clock (the database's, for a shared store): not
 *     comparable with another process's clock
 */
public record Lease(String owner, long epoch, Instant leaseUntil) {
}
