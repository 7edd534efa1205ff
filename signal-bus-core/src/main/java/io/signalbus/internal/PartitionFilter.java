package io.signalbus.internal;

import io.signalbus.PartitionKey;
import io.signalbus.Signal;
import io.signalbus.store.UndecodableSignals;
import org.jspecify.annotations.Nullable;

/**
 * Which signals one partition of a partitioned subscription takes: those whose key maps to it by
 * {@link PartitionKey#partitionOf}. A placeholder of an undecodable row has no attributes to trust, so
 * it goes by its id: exactly one partition dead-letters it.
 */
record PartitionFilter(PartitionKey key, int partitions, int partition) {

    /** The signal's key when it belongs to this partition, else null. */
    @Nullable String keyIfOwned(Signal signal) {
        String signalKey = UndecodableSignals.isPlaceholder(signal) ? signal.id() : key.keyOf(signal);
        return PartitionKey.partitionOf(signalKey, partitions) == partition ? signalKey : null;
    }
}
