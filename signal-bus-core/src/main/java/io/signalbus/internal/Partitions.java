package io.signalbus.internal;

/**
 * How the partitions of a partitioned subscription are named in the store: each is a subscription
 * record of its own, {@code <subscriptionId>/<n>}. A subscription id cannot contain {@code /}
 * ({@link io.signalbus.SubscribeOptions#ID_PATTERN}), so these never collide with one a user chose.
 */
final class Partitions {

    static final char SEPARATOR = '/';

    private Partitions() {
    }

    /** The store id of partition {@code partition} of {@code subscriptionId}. */
    static String storeId(String subscriptionId, int partition) {
        return subscriptionId + SEPARATOR + partition;
    }

    /** Whether a stored subscription is the partition of another. */
    static boolean isPartition(String storeId) {
        return storeId.indexOf(SEPARATOR) >= 0;
    }

    /** The subscription a stored record serves: the part before {@code /}, or the id itself. */
    static String subscriptionOf(String storeId) {
        int separator = storeId.indexOf(SEPARATOR);
        return separator < 0 ? storeId : storeId.substring(0, separator);
    }
}
