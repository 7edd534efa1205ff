package io.signalbus.sample;

import io.signalbus.Delivery;
import io.signalbus.SignalBus;
import io.signalbus.SubscribeOptions;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The guide's basic acknowledgement pattern with the programmatic API: subscribe persistently to
 * {@code payment.processed}, ack each valid payment by id, leave invalid ones unacked so they are
 * redelivered after the ack timeout (and dead-lettered after the last attempt).
 */
@Component
public class PaymentProcessor {

    static final String SUBSCRIPTION_ID = "payment_processor";
    private static final Logger log = LoggerFactory.getLogger(PaymentProcessor.class);

    private final SignalBus bus;
    private final AtomicLong processed = new AtomicLong();

    PaymentProcessor(SignalBus bus) {
        this.bus = bus;
    }

    @EventListener(ApplicationReadyEvent.class)
    void subscribe() {
        bus.subscribe("payment.processed", SubscribeOptions.persistent(SUBSCRIPTION_ID), this::handle);
    }

    private void handle(Delivery delivery) {
        if (delivery.signal().data() instanceof Map<?, ?> data && data.get("amount") instanceof Number amount
                && amount.doubleValue() > 0 && data.get("account_id") instanceof String) {
            bus.ack(SUBSCRIPTION_ID, delivery.signal().id());
            processed.incrementAndGet();
        } else {
            // not acked: redelivered after the ack timeout, dead-lettered after max-attempts
            log.error("payment processing failed: invalid_payment_data in {} (attempt {})", delivery.signal().id(),
                    delivery.attempt());
        }
    }

    public long processed() {
        return processed.get();
    }
}
