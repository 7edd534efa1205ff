package io.signalbus.internal;

import io.signalbus.store.SignalStore;
import io.signalbus.store.SubscriptionRecord;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Deletes old signals of one bus log that every persistent subscription has settled. */
final class Retention {

    private static final Logger log = LoggerFactory.getLogger(Retention.class);

    private Retention() {
    }

    /** Deletes up to {@code limit} signals recorded before {@code recordedBefore} and at or below every checkpoint. */
    static int prune(SignalStore store, String busName, Instant recordedBefore, int limit) {
        // the lowest checkpoint bounds what may go: flushed for disconnected subscriptions, the flushed
        // one too for active ones (their in-memory checkpoint may be ahead, never behind)
        long lowest = store.head(busName);
        for (SubscriptionRecord record : store.subscriptions(busName)) {
            if (record.partitions() == 1) { // a partitioned subscription's checkpoints are its partitions' records
                lowest = Math.min(lowest, record.checkpoint().position());
            }
        }
        int deleted = lowest == 0 ? 0 : store.deleteBefore(busName, lowest, recordedBefore, limit);
        if (deleted > 0) {
            log.info("bus '{}': retention deleted {} signals recorded before {} (at or below position {})", busName,
                    deleted, recordedBefore, lowest);
        }
        return deleted;
    }
}
