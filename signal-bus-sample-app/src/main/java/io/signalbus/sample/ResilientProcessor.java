package io.signalbus.sample;

import io.signalbus.Checkpoint;
import io.signalbus.Delivery;
import io.signalbus.SignalBus;
import io.signalbus.SubscribeOptions;
import io.signalbus.SubscriptionNotFoundException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The guide's reconnection pattern: reconnect to the existing subscription (which replays what was
 * missed, as ackable deliveries), or create it the first time.
 */
@Component
public class ResilientProcessor {

    static final String SUBSCRIPTION_ID = "resilient_processor";
    private static final Logger log = LoggerFactory.getLogger(ResilientProcessor.class);

    private final SignalBus bus;
    private final AtomicLong processed = new AtomicLong();

    ResilientProcessor(SignalBus bus) {
        this.bus = bus;
    }

    @EventListener(ApplicationReadyEvent.class)
    public void connect() {
        try {
            Checkpoint checkpoint = bus.reconnect(SUBSCRIPTION_ID, this::handle);
            log.info("reconnected to existing subscription at checkpoint {}", checkpoint.position());
        } catch (SubscriptionNotFoundException e) {
            bus.subscribe("events.**", SubscribeOptions.persistent(SUBSCRIPTION_ID), this::handle);
            log.info("created new persistent subscription {}", SUBSCRIPTION_ID);
        }
    }

    /** Detaches the handler; the subscription keeps its checkpoint and collects what is published meanwhile. */
    public void disconnect() {
        bus.unsubscribe(SUBSCRIPTION_ID);
    }

    private void handle(Delivery delivery) {
        log.info("processing signal: {}", delivery.signal().type());
        processed.incrementAndGet();
        delivery.ack();
    }

    public long processed() {
        return processed.get();
    }
}
