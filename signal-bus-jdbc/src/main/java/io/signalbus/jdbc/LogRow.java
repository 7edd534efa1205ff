package io.signalbus.jdbc;

import io.signalbus.Signal;
import java.time.Instant;

/**
 * The {@code index}-th signal of a request, on its way into the log, to be recorded at
 * {@code recordedAt} or at the time of the last append before it, whichever is later.
 */
record LogRow(AppendRequest request, int index, Instant recordedAt) {

    Signal signal() {
        return request.signals().get(index);
    }

    String envelope() {
        return request.envelopes().get(index);
    }
}
