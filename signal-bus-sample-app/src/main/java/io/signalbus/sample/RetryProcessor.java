package io.signalbus.sample;

import io.signalbus.Delivery;
import io.signalbus.spring.SignalListener;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The guide's retry with exponential backoff, done by the bus: an {@code events.flaky} signal with
 * {@code fail_times: n} fails its first n attempts; each failure is redelivered after 1 s, 2 s, 4 s…
 * (±20 % jitter), and after {@code maxAttempts} it becomes a dead letter.
 */
@Component
public class RetryProcessor {

    private static final Logger log = LoggerFactory.getLogger(RetryProcessor.class);

    private final AtomicLong succeeded = new AtomicLong();
    private final AtomicLong failedAttempts = new AtomicLong();

    @SignalListener(value = "events.**", persistent = true, subscriptionId = "retry_processor", maxAttempts = 5)
    void on(Map<String, Object> data, Delivery delivery) {
        int failTimes = data.get("fail_times") instanceof Number n ? n.intValue() : 0;
        if (delivery.attempt() <= failTimes) {
            failedAttempts.incrementAndGet();
            log.warn("attempt {} of {} failed on purpose; the bus retries with backoff", delivery.attempt(),
                    delivery.signal().id());
            throw new IllegalStateException("simulated failure " + delivery.attempt() + " of " + failTimes);
        }
        succeeded.incrementAndGet();
    }

    public long succeeded() {
        return succeeded.get();
    }

    public long failedAttempts() {
        return failedAttempts.get();
    }
}
