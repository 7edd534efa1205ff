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
        var requestOf = new HashMap<String, AppendRequest>();
        var signalOf = new HashMap<String, Signal>();
        for (AppendRequest request : requests) {
            for (Signal signal : request.signals()) {
                requestOf.put(signal.id(), request);
                signalOf.put(signal.id(), signal);
            }
        }
        AppendRequest current = null;
        var recorded = new ArrayList<RecordedSignal>();
        for (PendingMover.Moved row : rows) {
            AppendRequest request = requestOf.get(row.signalId());
            Signal signal = signalOf.get(row.signalId());
            if (request == null || signal == null) {
                continue; // not staged by this transaction (a key clash); subscriptions read it
            }
            if (request != current && current != null) {
                current.handOn(List.copyOf(recorded));
                recorded.clear();
            }
            current = request;
            recorded.add(new RecordedSignal(row.position(), signal, row.recordedAt()));
        }
        if (current != null) {
            current.handOn(List.copyOf(recorded));
        }
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
