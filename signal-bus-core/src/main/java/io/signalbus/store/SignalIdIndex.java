package io.signalbus.store;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Positions of one bus log by signal id, for the in-memory store. Generated ids (UUIDv7) arrive in
 * increasing order, so they go to two sorted arrays: telling a new id from a duplicate is then one
 * comparison with the last id, and a lookup is a binary search, with no hashing of a million-entry
 * table on the publish path. Ids that arrive out of order (chosen by the publisher) go to a map.
 * Not thread-safe: the store's lock guards it.
 */
final class SignalIdIndex {

    private String[] ids = new String[1024];
    private long[] positions = new long[1024];
    private int start;
    private int end;
    /** Ids that were not greater than every earlier one; all are below {@code ids[end - 1]}. */
    private final Map<String, Long> others = new HashMap<>();

    /** Whether {@code id} is certainly not in the index, without a lookup: it is above every indexed id. */
    private boolean isAboveAll(String id) {
        return end == start || id.compareTo(ids[end - 1]) > 0;
    }

    @Nullable Long positionOf(String id) {
        if (isAboveAll(id)) {
            return null;
        }
        Long other = others.isEmpty() ? null : others.get(id);
        if (other != null) {
            return other;
        }
        int index = Arrays.binarySearch(ids, start, end, id);
        return index >= 0 ? positions[index] : null;
    }

    void add(String id, long position) {
        if (!isAboveAll(id)) {
            others.put(id, position);
            return;
        }
        if (end == ids.length) {
            int live = end - start;
            int capacity = live * 2 > ids.length ? ids.length * 2 : ids.length;
            ids = Arrays.copyOfRange(ids, start, start + capacity);
            positions = Arrays.copyOfRange(positions, start, start + capacity);
            start = 0;
            end = live;
        }
        ids[end] = id;
        positions[end] = position;
        end++;
    }

    /** Forgets {@code id}, which sits at {@code position}, the oldest position still indexed. */
    void removeOldest(String id, long position) {
        if (others.remove(id) == null && start < end && positions[start] == position) {
            ids[start] = null;
            start++;
        }
    }
}
