package io.signalbus;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A signal that exhausted its delivery attempts for one subscription.
 *
 * @param errorType    class name of the last failure
 * @param errorMessage message of the last failure, may be null
 */
public record DeadLetter(String subscriptionId, long position, Signal signal, int attempts, String errorType,
        @Nullable String errorMessage, Instant deadLetteredAt) {

    public DeadLetter {
        Objects.requireNonNull(subscriptionId, "subscriptionId");
        Objects.requireNonNull(signal, "signal");
        Objects.requireNonNull(errorType, "errorType");
        Objects.requireNonNull(deadLetteredAt, "deadLetteredAt");
    }
}
