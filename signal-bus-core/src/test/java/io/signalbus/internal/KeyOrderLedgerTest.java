package io.signalbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalbus.Checkpoint;
import io.signalbus.PartitionKey;
import io.signalbus.RecordedSignal;
import io.signalbus.RetryPolicy;
import io.signalbus.Signal;
import io.signalbus.router.SignalPattern;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The ledger of one partition keeps each key in order: one signal of a key at a time, in position order. */
class KeyOrderLedgerTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final RetryPolicy RETRY = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(60), 2.0, 0.0);

    private final ArrayDeque<RecordedSignal> log = new ArrayDeque<>();

    /** The one partition of a one-partition split: it takes every key, so the test picks the keys freely. */
    private DeliveryLedger ledger(int maxInFlight) {
        return new DeliveryLedger(SignalPattern.compile("**"), maxInFlight, 5, Duration.ofSeconds(30), RETRY,
                new SplittableRandom(1), Checkpoint.ORIGIN, DeliveryLedger.MAX_PENDING_BYTES,
                new PartitionFilter(PartitionKey.subject(), 1, 0));
    }

    private void append(String... subjects) {
        for (String subject : subjects) {
            long position = log.size() + 1;
            log.add(new RecordedSignal(position, Signal.builder("order.changed").source("/t").subject(subject)
                    .time(T0).build(), T0));
        }
    }

    @Test
    void laterSignalOfAKeyWaitsUntilTheEarlierOneIsAcked() {
        DeliveryLedger ledger = ledger(10);
        append("a", "a", "b");

        PendingSignal firstA = ledger.take(T0, log::poll);
        PendingSignal b = ledger.take(T0, log::poll);
        assertThat(firstA.position()).isEqualTo(1);
        assertThat(b.position()).isEqualTo(3);
        assertThat(ledger.take(T0, log::poll)).isNull();

        ledger.ack(firstA);
        assertThat(ledger.take(T0, log::poll).position()).isEqualTo(2);
    }

    @Test
    void retryOfAKeyBlocksThatKeyAndNoOther() {
        DeliveryLedger ledger = ledger(10);
        append("a", "a", "b", "b");

        PendingSignal firstA = ledger.take(T0, log::poll);
        PendingSignal firstB = ledger.take(T0, log::poll);
        ledger.nack(firstA, 0, new IllegalStateException("down"), T0);
        ledger.ack(firstB);

        assertThat(ledger.take(T0, log::poll).position()).isEqualTo(4); // b goes on
        assertThat(ledger.take(T0, log::poll)).isNull(); // a waits for its retry, its second signal behind it
        PendingSignal retried = ledger.take(T0.plusSeconds(1), log::poll);
        assertThat(retried).isSameAs(firstA);
        assertThat(retried.attempts).isEqualTo(2);
        ledger.ack(retried);
        assertThat(ledger.take(T0.plusSeconds(1), log::poll).position()).isEqualTo(2);
    }

    @Test
    void deadLetteringAKeysSignalReleasesItsNextSignal() {
        DeliveryLedger ledger = ledger(10);
        append("a", "a");

        PendingSignal first = ledger.take(T0, log::poll);
        var failure = ledger.nack(first, 0, new PermanentError(), T0);
        assertThat(failure.deadLetter()).isTrue();
        assertThat(ledger.take(T0, log::poll)).isNull(); // not until the dead letter is durable
        ledger.deadLettered(first);
        assertThat(ledger.take(T0, log::poll).position()).isEqualTo(2);
    }

    @Test
    void blockedSignalsCountAgainstMaxInFlight() {
        DeliveryLedger ledger = ledger(2);
        append("a", "a", "b");

        assertThat(ledger.take(T0, log::poll).position()).isEqualTo(1);
        assertThat(ledger.take(T0, log::poll)).isNull(); // the window holds 1 and its blocked successor 2
    }

    @Test
    void checkpointStaysBelowABlockedSignal() {
        DeliveryLedger ledger = ledger(10);
        append("a", "b", "a");

        PendingSignal a = ledger.take(T0, log::poll);
        PendingSignal b = ledger.take(T0, log::poll);
        ledger.ack(b);
        ledger.ack(a);
        assertThat(ledger.checkpoint().position()).isEqualTo(2);
        ledger.ack(ledger.take(T0, log::poll));
        assertThat(ledger.checkpoint().position()).isEqualTo(3);
    }

    private static final class PermanentError extends RuntimeException implements io.signalbus.PermanentFailure {
    }
}
