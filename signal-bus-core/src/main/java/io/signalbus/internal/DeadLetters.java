package io.signalbus.internal;

import io.signalbus.DeadLetter;
import io.signalbus.store.SignalStore;
import io.signalbus.store.SubscriptionRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The dead letters of a subscription, whose partitions each keep their own: listed together in
 * position order, each naming the partition that holds it ({@code <id>/<n>}).
 */
final class DeadLetters {

    private DeadLetters() {
    }

    /** Up to {@code limit} dead letters of the subscription (of all its partitions), by position. */
    static List<DeadLetter> list(SignalStore store, SubscriptionRecord record, int limit) {
        if (record.partitions() == 1) {
            return store.deadLetters(record.busName(), record.subscriptionId(), limit);
        }
        var all = new ArrayList<DeadLetter>();
        for (String partition : SubscriptionRecords.storeIds(record)) {
            all.addAll(store.deadLetters(record.busName(), partition, limit));
        }
        all.sort(Comparator.comparingLong(DeadLetter::position));
        return all.size() <= limit ? all : List.copyOf(all.subList(0, limit));
    }

    /** How many dead letters the subscription has, in all its partitions. */
    static long count(SignalStore store, SubscriptionRecord record) {
        long count = 0;
        for (String storeId : SubscriptionRecords.storeIds(record)) {
            count += store.countDeadLetters(record.busName(), storeId);
        }
        return count;
    }
}
