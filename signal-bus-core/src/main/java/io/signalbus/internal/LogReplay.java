package io.signalbus.internal;

import io.signalbus.RecordedSignal;
import io.signalbus.ReplayOptions;
import io.signalbus.router.SignalPattern;
import io.signalbus.store.SignalStore;
import io.signalbus.store.UndecodableSignals;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the matching signals of one bus log from a start point, page by page, up to a limit, with the
 * placeholders of rows the store could not decode.
 */
final class LogReplay {

    private LogReplay() {
    }

    static List<RecordedSignal> replay(SignalStore store, String busName, int pageSize, SignalPattern pattern,
            ReplayOptions options) {
        long after = options.since() != null ? store.positionBefore(busName, options.since())
                : options.fromPosition() - 1;
        var result = new ArrayList<RecordedSignal>();
        while (result.size() < options.limit()) {
            List<RecordedSignal> page = store.read(busName, after, pageSize);
            for (RecordedSignal recorded : page) {
                // a row the store could not decode is reported whatever the pattern: its real type may match
                if (pattern.matches(recorded.signal().type()) || UndecodableSignals.isPlaceholder(recorded.signal())) {
                    result.add(recorded);
                    if (result.size() == options.limit()) {
                        break;
                    }
                }
            }
            if (page.size() < pageSize) {
                break;
            }
            after = page.get(page.size() - 1).position();
        }
        return result;
    }
}
