package io.signalbus.testing;

import io.signalbus.Delivery;
import io.signalbus.SignalHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** Records every delivery; optionally acks at once or fails deliveries that match a predicate. */
public final class RecordingHandler implements SignalHandler {

    private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
    private final boolean autoAck;
    private volatile Predicate<Delivery> failWhen = d -> false;

    private RecordingHandler(boolean autoAck) {
        this.autoAck = autoAck;
    }

    /** Acks each delivery as soon as it arrives. */
    public static RecordingHandler acking() {
        return new RecordingHandler(true);
    }

    /** Leaves every delivery unacked; the test acks. */
    public static RecordingHandler manual() {
        return new RecordingHandler(false);
    }

    /** Throws for deliveries that match; others are handled as usual. */
    public RecordingHandler failingWhen(Predicate<Delivery> predicate) {
        this.failWhen = predicate;
        return this;
    }

    @Override
    public void handle(Delivery delivery) {
        deliveries.add(delivery);
        if (failWhen.test(delivery)) {
            throw new IllegalStateException("handler failed on " + delivery.signal().type() + " attempt "
                    + delivery.attempt());
        }
        if (autoAck) {
            delivery.ack();
        }
    }

    public List<Delivery> deliveries() {
        return new ArrayList<>(deliveries);
    }

    public int count() {
        return deliveries.size();
    }

    public Delivery last() {
        return deliveries.get(deliveries.size() - 1);
    }

    /** Positions in delivery order. */
    public List<Long> positions() {
        return deliveries.stream().map(Delivery::position).toList();
    }

    /** Signal types in delivery order. */
    public List<String> types() {
        return deliveries.stream().map(d -> d.signal().type()).toList();
    }

    public void clear() {
        deliveries.clear();
    }
}
