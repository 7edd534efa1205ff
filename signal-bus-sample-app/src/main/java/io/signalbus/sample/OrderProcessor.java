package io.signalbus.sample;

import io.signalbus.PermanentFailure;
import io.signalbus.Signal;
import io.signalbus.spring.SignalListener;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The guide's complete example: a resilient order processor on {@code order.**} with at most 50
 * orders in flight. A normal return acks; an invalid order is dead-lettered at once (retrying cannot
 * fix it), any other failure is retried with backoff.
 */
@Component
public class OrderProcessor {

    private static final Logger log = LoggerFactory.getLogger(OrderProcessor.class);

    private final AtomicLong ordersProcessed = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicReference<Instant> lastProcessedAt = new AtomicReference<>();

    /** Processing statistics, as the guide's {@code get_stats}. */
    public record Stats(long ordersProcessed, long errors, Instant lastProcessedAt) {
    }

    /** An order that fails validation: retrying will not make it valid. */
    static class InvalidOrderException extends IllegalArgumentException implements PermanentFailure {
        InvalidOrderException(String message) {
            super(message);
        }
    }

    @SignalListener(value = "order.**", persistent = true, subscriptionId = "order_processor", maxInFlight = 50)
    void on(Signal signal) {
        log.debug("processing order signal {}", signal.type());
        try {
            switch (signal.type()) {
                case "order.created" -> created(data(signal));
                case "order.updated" -> log.info("updating order {}", data(signal).get("order_id"));
                case "order.cancelled" -> log.info("cancelling order {}", data(signal).get("order_id"));
                default -> log.warn("unknown order signal type: {}", signal.type());
            }
        } catch (RuntimeException e) {
            errors.incrementAndGet();
            log.error("order processing failed for {}: {}", signal.id(), e.getMessage());
            throw e;
        }
        ordersProcessed.incrementAndGet();
        lastProcessedAt.set(Instant.now());
    }

    private void created(Map<String, Object> data) {
        if (!(data.get("order_id") instanceof String orderId) || orderId.isBlank()) {
            throw new InvalidOrderException("missing_order_id");
        }
        if (!(data.get("customer_id") instanceof String customerId) || customerId.isBlank()) {
            throw new InvalidOrderException("missing_customer_id");
        }
        if (!(data.get("items") instanceof List<?> items) || items.isEmpty()) {
            throw new InvalidOrderException("invalid_items");
        }
        log.info("creating order {} for customer {}", orderId, customerId);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> data(Signal signal) {
        return signal.data() instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    }

    public Stats stats() {
        return new Stats(ordersProcessed.get(), errors.get(), lastProcessedAt.get());
    }
}
