package io.signalbus.jdbc;

import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;

/** Gives the signals a sequencing step moved, with their positions, to the requests of their transaction that published them. */
final class MovedSignals {

    private MovedSignals() {
    }

    /** Hands each request its signals: the rows of one transaction, grouped by the request that published them. */
    static void handOn(List<AppendRequest> requests, List<PendingMover.Moved> rows) {
        if (movedAsPublished(requests, rows)) {
            int index = 0;
            for (AppendRequest request : requests) {
                var recorded = new RecordedSignal[request.size()];
                for (int i = 0; i < recorded.length; i++, index++) {
                    PendingMover.Moved row = rows.get(index);
                    recorded[i] = new RecordedSignal(row.position(), request.signals().get(i), row.recordedAt());
                }
                request.handOn(List.of(recorded));
            }
            return;
        }
        var published = new HashMap<String, Published>();
        for (AppendRequest request : requests) {
            for (Signal signal : request.signals()) {
                published.put(signal.id(), new Published(request, signal));
            }
        }
        AppendRequest current = null;
        var recorded = new ArrayList<RecordedSignal>();
        for (PendingMover.Moved row : rows) {
            Published signal = published.get(row.signalId());
            if (signal == null) {
                continue; // not staged by this transaction (a key clash); subscriptions read it
            }
            if (signal.request() != current && current != null) {
                current.handOn(List.copyOf(recorded));
                recorded.clear();
            }
            current = signal.request();
            recorded.add(new RecordedSignal(row.position(), signal.signal(), row.recordedAt()));
        }
        if (current != null) {
            current.handOn(List.copyOf(recorded));
        }
    }

    /** A signal of the transaction and the request that published it. */
    private record Published(AppendRequest request, Signal signal) {
    }

    /**
     * Whether the rows are the requests' signals in the order they were published, as a transaction's
     * rows are (positions follow staging order) unless an id was dropped or another transaction had
     * the same key; then {@link #handOn} matches them by id.
     */
    private static boolean movedAsPublished(List<AppendRequest> requests, List<PendingMover.Moved> rows) {
        int index = 0;
        for (AppendRequest request : requests) {
            for (Signal signal : request.signals()) {
                if (index == rows.size() || !signal.id().equals(rows.get(index++).signalId())) {
                    return false;
                }
            }
        }
        return index == rows.size();
    }
}
