package io.signalbus.internal;

import static io.signalbus.SignalBusException.quote;

import io.signalbus.Checkpoint;
import io.signalbus.InvalidOptionException;
import io.signalbus.StartFrom;
import io.signalbus.store.SignalStore;
import java.time.Instant;
import java.util.Objects;

/** Resolves where a subscription starts, or where an operator moves it, to a checkpoint in one bus log. */
final class StartPoints {

    private StartPoints() {
    }

    /**
     * The checkpoint an operator's move of a subscription to {@code to} sets. Refuses a position past
     * the head + 1 and an instant after {@code now}: such a checkpoint would skip signals published
     * later, and show a lag below zero until they were.
     *
     * @throws InvalidOptionException naming the value and the head
     */
    static Checkpoint moveTarget(SignalStore store, String busName, String subscriptionId, StartFrom to,
            Instant now) {
        if (to.kind() == StartFrom.Kind.POSITION || to.kind() == StartFrom.Kind.INSTANT) {
            long head = store.head(busName);
            if (to.kind() == StartFrom.Kind.POSITION && to.position() > head + 1) {
                throw new InvalidOptionException("cannot move subscription " + quote(subscriptionId) + " on bus "
                        + quote(busName) + " to position " + to.position() + ": the head is " + head
                        + ", so " + (head + 1) + " (the next signal) is the furthest it can go");
            }
            Instant instant = to.instant();
            if (instant != null && instant.isAfter(now)) {
                throw new InvalidOptionException("cannot move subscription " + quote(subscriptionId) + " on bus "
                        + quote(busName) + " to " + instant + ": that is in the future (now " + now
                        + ", head " + head + "); use 'current' to skip everything published so far");
            }
        }
        return checkpointFor(store, busName, to);
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
