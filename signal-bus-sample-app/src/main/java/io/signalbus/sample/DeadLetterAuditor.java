package io.signalbus.sample;

import io.signalbus.Signal;
import io.signalbus.spring.SignalListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Listens on the {@code dead_letters} bus and keeps the latest forwarded dead letters for the stats page. */
@Component
public class DeadLetterAuditor {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterAuditor.class);
    private static final int KEEP = 50;

    private final List<Object> recent = new CopyOnWriteArrayList<>();

    @SignalListener(value = "dead_letter.**", bus = "dead_letters", persistent = true,
            subscriptionId = "dead_letter_auditor", startFrom = "origin")
    void on(Signal signal) {
        log.warn("dead letter recorded: {} {}", signal.type(), signal.data());
        recent.add(signal.data());
        while (recent.size() > KEEP) {
            recent.remove(0);
        }
    }

    public List<Object> recent() {
        return List.copyOf(recent);
    }
}
