package io.signalbus.internal;

import static io.signalbus.SignalBusException.quote;

import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import io.signalbus.SubscriptionNotFoundException;
import io.signalbus.UnknownSignalException;
import io.signalbus.router.SignalPattern;
import io.signalbus.store.SignalStore;
import io.signalbus.store.SubscriptionRecord;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * The slow path of ack and nack, for a signal that is not pending in this process: a no-op when it is
 * already settled (a repeated ack), an error that says why when the subscription or signal is unknown
 * or the signal is not delivered yet.
 */
final class AckCheck {

    private AckCheck() {
    }

    static void requireSettled(SignalStore store, String busName, String subscriptionId, String signalId,
            @Nullable SubscriptionWorkers worker, String operation) {
        Optional<SubscriptionRecord> record = worker == null ? store.findSubscription(busName, subscriptionId)
                : Optional.empty();
        if (worker == null && record.isEmpty()) {
            throw new SubscriptionNotFoundException(busName, subscriptionId);
        }
        OptionalLong position = store.positionOf(busName, signalId);
        if (position.isEmpty()) {
            throw new UnknownSignalException("cannot " + operation + " signal " + quote(signalId) + " for subscription "
                    + quote(subscriptionId) + ": no such signal in the log of bus '" + busName + "'");
        }
        Signal signal = store.signalAt(busName, position.getAsLong()).map(RecordedSignal::signal).orElse(null);
        // not connected here: which partition holds the signal depends on a key this process does not
        // know, so a partitioned subscription counts as settled only below all its partitions' checkpoints
        boolean settled = worker != null ? worker.isSettled(position.getAsLong(), signal)
                : position.getAsLong() <= StatusReport.checkpointOf(store, record.get(), null).position();
        SignalPattern pattern = worker != null ? worker.pattern : SignalPattern.compile(record.get().pattern());
        if (signal != null && !pattern.matches(signal.type())) {
            throw new UnknownSignalException("cannot " + operation + " signal " + quote(signalId) + " for subscription "
                    + quote(subscriptionId) + ": its type '" + signal.type() + "' does not match the subscription's pattern '"
                    + pattern.value() + "', so it was never delivered to it");
        }
        if (!settled) {
            throw new UnknownSignalException("cannot " + operation + " signal " + quote(signalId) + " (position "
                    + position.getAsLong() + ") for subscription " + quote(subscriptionId) + ": it has not been delivered"
                    + (worker == null ? " (the subscription is not connected in this process)" : " yet"));
        }
    }
}
