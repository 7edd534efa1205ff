package io.signalbus.jdbc;

import io.signalbus.Signal;
import java.time.Instant;

/**
 * A signal on its way into the log, to be recorded at {@code recordedAt} or at the time of the last
 * append before it, whichever is later.
 */
record LogRow(String signalId, String type, String envelope, Instant recordedAt) {

    /** The {@code index}-th signal of a request. */
    static LogRow of(AppendRequest request, int index, Instant recordedAt) {
        Signal signal = request.signals().get(index);
        return new LogRow(signal.id(), signal.type(), request.envelopes().get(index), recordedAt);
    }
}
