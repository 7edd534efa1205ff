package io.signalbus.benchmarks;

import io.signalbus.Signal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The signals every benchmark publishes: an {@code order.created}-like event whose data is about 330
 * bytes of JSON, carrying a sequence number and the {@link System#nanoTime()} at which it was sent
 * (for publish-to-handler latency).
 */
final class Payloads {

    static final String TYPE = "order.created";
    static final String SOURCE = "/benchmarks/orders";
    static final String SENT_NANOS = "sent_nanos";

    private Payloads() {
    }

    /** About 330 bytes as JSON. */
    static Map<String, Object> data(long sequence, long sentNanos) {
        var data = new LinkedHashMap<String, Object>();
        data.put("order_id", "ord-" + (100_000_000 + sequence));
        data.put("customer_id", "cus-" + (sequence % 9973));
        data.put(SENT_NANOS, sentNanos);
        data.put("currency", "EUR");
        data.put("total_cents", 1999 + sequence % 5000);
        data.put("items", List.of(
                Map.of("sku", "SKU-1234-BLUE-M", "quantity", 2, "unit_price_cents", 999),
                Map.of("sku", "SKU-9876-RED-XL", "quantity", 1, "unit_price_cents", 1001)));
        data.put("shipping", Map.of("street", "12 Rue de la Paix", "city", "Paris", "postcode", "75002",
                "country", "FR"));
        data.put("channel", "web");
        return data;
    }

    static Signal signal(String type, long sequence, long sentNanos) {
        return Signal.builder(type).source(SOURCE).data(data(sequence, sentNanos)).build();
    }

    static Signal signal(long sequence, long sentNanos) {
        return signal(TYPE, sequence, sentNanos);
    }

    /** The send time a signal carries; -1 when it carries none. */
    static long sentNanos(Signal signal) {
        if (signal.data() instanceof Map<?, ?> map && map.get(SENT_NANOS) instanceof Number sent) {
            return sent.longValue();
        }
        return -1;
    }
}
