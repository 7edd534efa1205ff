package io.signalbus.sample;

import io.signalbus.DeadLetter;
import io.signalbus.Signal;
import io.signalbus.SignalBusListener;
import io.signalbus.spring.SignalBuses;
import java.util.LinkedHashMap;
import java.util.Objects;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The guide's dead-letter pattern with a second bus: every dead letter of the default bus is also
 * published to the {@code dead_letters} bus as {@code dead_letter.<original type>}, where a persistent
 * listener ({@link DeadLetterAuditor}) records it. The dead letter itself stays redrivable.
 */
@Component
public class DeadLetterForwarder implements SignalBusListener {

    static final String DEAD_LETTER_BUS = "dead_letters";

    /** Lazy: the buses are built with this listener, so it cannot take them in its constructor. */
    private final ObjectProvider<SignalBuses> buses;

    DeadLetterForwarder(ObjectProvider<SignalBuses> buses) {
        this.buses = buses;
    }

    @Override
    public void deadLettered(String busName, DeadLetter deadLetter) {
        if (busName.equals(DEAD_LETTER_BUS)) {
            return;
        }
        var data = new LinkedHashMap<String, Object>();
        data.put("bus", busName);
        data.put("subscription_id", deadLetter.subscriptionId());
        data.put("position", deadLetter.position());
        data.put("signal_id", deadLetter.signal().id());
        data.put("attempts", deadLetter.attempts());
        data.put("error_type", deadLetter.errorType());
        data.put("error_message", deadLetter.errorMessage());
        data.values().removeIf(Objects::isNull);
        buses.getObject().get(DEAD_LETTER_BUS).publish(Signal.builder("dead_letter." + deadLetter.signal().type())
                .source("/signal-bus/" + busName + "/" + deadLetter.subscriptionId()).data(data)
                .build());
    }
}
