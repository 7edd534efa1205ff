package io.signalbus.sample;

import io.signalbus.Delivery;
import io.signalbus.SignalBus;
import io.signalbus.SubscribeOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The guide's batch acknowledgement: up to 500 items in flight, processed and acked 100 at a time
 * with one {@code ack(subscriptionId, ids)} call. Items of an incomplete batch stay unacked and are
 * redelivered after the ack timeout, as in the guide.
 */
@Component
public class BatchProcessor {

    static final String SUBSCRIPTION_ID = "batch_processor";
    static final int BATCH_SIZE = 100;

    private final SignalBus bus;
    /** Touched only by the subscription's single dispatcher thread. */
    private final List<String> batch = new ArrayList<>();
    private final AtomicLong batchesAcked = new AtomicLong();

    BatchProcessor(SignalBus bus) {
        this.bus = bus;
    }

    @EventListener(ApplicationReadyEvent.class)
    void subscribe() {
        bus.subscribe("batch.item.**", SubscribeOptions.persistent(SUBSCRIPTION_ID).maxInFlight(500), this::handle);
    }

    private void handle(Delivery delivery) {
        batch.add(delivery.signal().id());
        if (batch.size() >= BATCH_SIZE) {
            // process the whole batch atomically here, then acknowledge it at once
            bus.ack(SUBSCRIPTION_ID, List.copyOf(batch));
            batch.clear();
            batchesAcked.incrementAndGet();
        }
    }

    public long batchesAcked() {
        return batchesAcked.get();
    }
}
