package io.signalbus.internal;

import io.signalbus.Checkpoint;
import io.signalbus.StartFrom;
import io.signalbus.store.SignalStore;
import java.util.Objects;

/** Resolves where a subscription starts, or where an operator moves it, to a checkpoint in one bus log. */
final class StartPoints {

    private StartPoints() {
    }

    /** The checkpoint that makes a subscription start where {@code startFrom} says. */
    static Checkpoint checkpointFor(SignalStore store, String busName, StartFrom startFrom) {
        long position = switch (startFrom.kind()) {
            case ORIGIN -> 0;
            case CURRENT -> store.head(busName);
            case INSTANT -> store.positionBefore(busName, Objects.requireNonNull(startFrom.instant(), "instant"));
            case POSITION -> startFrom.position() - 1;
        };
        if (position == 0) {
            return Checkpoint.ORIGIN;
        }
        return store.signalAt(busName, position).map(r -> new Checkpoint(position, r.signal().time()))
                .orElse(new Checkpoint(position, null));
    }
}
