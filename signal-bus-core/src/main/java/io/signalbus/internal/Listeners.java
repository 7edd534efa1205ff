package io.signalbus.internal;

import io.signalbus.Delivery;
import io.signalbus.RecordedSignal;
import io.signalbus.SignalBusListener;
import io.signalbus.Checkpoint;
import io.signalbus.DeadLetter;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Fans events out to the configured listeners; a failing listener is logged, never propagated. */
final class Listeners implements SignalBusListener {

    private static final Logger log = LoggerFactory.getLogger(Listeners.class);

    private final List<SignalBusListener> listeners;

    Listeners(List<SignalBusListener> listeners) {
        this.listeners = List.copyOf(listeners);
    }

    private void each(Consumer<SignalBusListener> event) {
        for (SignalBusListener listener : listeners) {
            try {
                event.accept(listener);
            } catch (RuntimeException e) {
                log.warn("signal-bus listener {} failed; ignoring", listener, e);
            }
        }
    }

    @Override
    public void published(String busName, List<RecordedSignal> signals) {
        if (!listeners.isEmpty()) {
            each(l -> l.published(busName, signals));
        }
    }

    @Override
    public void delivering(String busName, Delivery delivery, RecordedSignal recorded) {
        if (!listeners.isEmpty()) {
            each(l -> l.delivering(busName, delivery, recorded));
        }
    }

    @Override
    public void handled(String busName, Delivery delivery, Duration duration, @Nullable Throwable failure) {
        if (!listeners.isEmpty()) {
            each(l -> l.handled(busName, delivery, duration, failure));
        }
    }

    @Override
    public void acked(String busName, String subscriptionId, long position, int attempt) {
        if (!listeners.isEmpty()) {
            each(l -> l.acked(busName, subscriptionId, position, attempt));
        }
    }

    @Override
    public void nacked(String busName, String subscriptionId, long position, int attempt, Throwable reason) {
        each(l -> l.nacked(busName, subscriptionId, position, attempt, reason));
    }

    @Override
    public void timedOut(String busName, String subscriptionId, long position, int attempt) {
        each(l -> l.timedOut(busName, subscriptionId, position, attempt));
    }

    @Override
    public void deadLettered(String busName, DeadLetter deadLetter) {
        // listeners hear of the subscription, not of its partitions: one name (and one metric tag) per subscription
        String subscriptionId = Partitions.subscriptionOf(deadLetter.subscriptionId());
        DeadLetter named = subscriptionId.equals(deadLetter.subscriptionId()) ? deadLetter
                : new DeadLetter(subscriptionId, deadLetter.position(), deadLetter.signal(), deadLetter.attempts(),
                        deadLetter.errorType(), deadLetter.errorMessage(), deadLetter.deadLetteredAt());
        each(l -> l.deadLettered(busName, named));
    }

    @Override
    public void redriven(String busName, String subscriptionId, int count) {
        each(l -> l.redriven(busName, subscriptionId, count));
    }

    @Override
    public void checkpointed(String busName, String subscriptionId, Checkpoint checkpoint) {
        // a partition's checkpoint is not the subscription's: listeners hear only of whole subscriptions
        if (!Partitions.isPartition(subscriptionId)) {
            each(l -> l.checkpointed(busName, subscriptionId, checkpoint));
        }
    }
}
