package io.signalbus.store;

import io.signalbus.SignalStoreException;

/**
 * A fenced write was refused: the epoch it carried is no longer the subscription's, because another
 * process (or a later claim of this one) took the claim since. The write had no effect; retrying it
 * can never succeed. The writer has lost the claim and must stop serving the subscription.
 */
public class ClaimLostException extends SignalStoreException {

    private final long epoch;

    /**
     * @param message what was refused
     * @param epoch the stale epoch the write carried
     */
    public ClaimLostException(String message, long epoch) {
        super(message);
        this.epoch = epoch;
    }

    /** The stale epoch the refused write carried. */
    public long epoch() {
        return epoch;
    }
}
