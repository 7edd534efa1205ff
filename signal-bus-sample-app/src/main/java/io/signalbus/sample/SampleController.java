package io.signalbus.sample;

import io.signalbus.BusStatus;
import io.signalbus.RecordedSignal;
import io.signalbus.ReplayOptions;
import io.signalbus.Signal;
import io.signalbus.SignalBus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.jspecify.annotations.Nullable;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** REST endpoints to publish the guide's signals and watch them being processed. */
@RestController
class SampleController {

    private final SignalBus bus;
    private final OrderProcessor orders;
    private final PaymentProcessor payments;
    private final BatchProcessor batches;
    private final RetryProcessor retries;
    private final ResilientProcessor resilient;
    private final DeadLetterAuditor deadLetters;

    SampleController(SignalBus bus, OrderProcessor orders, PaymentProcessor payments, BatchProcessor batches,
            RetryProcessor retries, ResilientProcessor resilient, DeadLetterAuditor deadLetters) {
        this.bus = bus;
        this.orders = orders;
        this.payments = payments;
        this.batches = batches;
        this.retries = retries;
        this.resilient = resilient;
        this.deadLetters = deadLetters;
    }

    /** What a publish returned: where the signal sits in the log. */
    record Published(String id, String type, long position) {
        static Published of(RecordedSignal recorded) {
            return new Published(recorded.signal().id(), recorded.signal().type(), recorded.position());
        }
    }

    @PostMapping("/orders")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Published createOrder(@RequestBody Map<String, Object> order) {
        return publish("order.created", order);
    }

    @PostMapping("/orders/{orderId}/status")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Published updateOrder(@PathVariable String orderId, @RequestParam String status) {
        return publish("order.updated", Map.of("order_id", orderId, "status", status));
    }

    @DeleteMapping("/orders/{orderId}")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Published cancelOrder(@PathVariable String orderId) {
        return publish("order.cancelled", Map.of("order_id", orderId));
    }

    @PostMapping("/payments")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Published payment(@RequestBody Map<String, Object> payment) {
        return publish("payment.processed", payment);
    }

    /** Publishes {@code count} batch items in one atomic call. */
    @PostMapping("/batch-items")
    @ResponseStatus(HttpStatus.ACCEPTED)
    List<Published> batchItems(@RequestParam(defaultValue = "100") int count) {
        if (count < 1 || count > 10_000) {
            throw new IllegalArgumentException("count must be between 1 and 10000, was " + count);
        }
        List<Signal> items = IntStream.range(0, count)
                .mapToObj(i -> Signal.of("batch.item.added", "sample-app", Map.of("item", i))).toList();
        return bus.publish(items).stream().map(Published::of).toList();
    }

    /** An event that fails its first {@code failTimes} attempts, to watch retries and dead letters. */
    @PostMapping("/events")
    @ResponseStatus(HttpStatus.ACCEPTED)
    Published event(@RequestParam(defaultValue = "0") int failTimes) {
        return publish("events.flaky", Map.of("fail_times", failTimes));
    }

    @PostMapping("/resilient/disconnect")
    void disconnect() {
        resilient.disconnect();
    }

    @PostMapping("/resilient/connect")
    void connect() {
        resilient.connect();
    }

    /** The guide's manual replay for recovery: signals since an instant. */
    @GetMapping("/replay")
    List<Map<String, Object>> replay(@RequestParam(defaultValue = "**") String pattern,
            @RequestParam @Nullable Instant since, @RequestParam(defaultValue = "100") int limit) {
        ReplayOptions options = (since != null ? ReplayOptions.since(since) : ReplayOptions.fromOrigin()).limit(limit);
        return bus.replay(pattern, options).stream().map(r -> {
            var entry = new LinkedHashMap<String, Object>();
            entry.put("position", r.position());
            entry.put("id", r.signal().id());
            entry.put("type", r.signal().type());
            entry.put("recorded_at", r.recordedAt());
            entry.put("data", r.signal().data());
            return (Map<String, Object>) entry;
        }).toList();
    }

    @GetMapping("/stats")
    Map<String, Object> stats() {
        var stats = new LinkedHashMap<String, Object>();
        stats.put("orders", orders.stats());
        stats.put("payments_processed", payments.processed());
        stats.put("batches_acked", batches.batchesAcked());
        stats.put("retry_succeeded", retries.succeeded());
        stats.put("retry_failed_attempts", retries.failedAttempts());
        stats.put("resilient_processed", resilient.processed());
        stats.put("dead_letters_forwarded", deadLetters.recent());
        BusStatus status = bus.status();
        stats.put("bus", status);
        return stats;
    }

    private Published publish(String type, Map<String, Object> data) {
        return Published.of(bus.publish(Signal.of(type, "sample-app", data)).get(0));
    }
}
