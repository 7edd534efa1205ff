package io.signalbus.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalbus.Checkpoint;
import io.signalbus.DeadLetter;
import io.signalbus.PermanentFailure;
import io.signalbus.RecordedSignal;
import io.signalbus.RetryPolicy;
import io.signalbus.Signal;
import io.signalbus.internal.DeliveryLedger.Failure;
import io.signalbus.internal.PendingSignal.State;
import io.signalbus.router.SignalPattern;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The ledger's state machine, driven by hand: no threads, no store, no waiting; time is passed in. */
class DeliveryLedgerTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration ACK_TIMEOUT = Duration.ofSeconds(30);
    /** 1 s, 2 s, 4 s … without jitter, so retry times are exact. */
    private static final RetryPolicy RETRY = new RetryPolicy(Duration.ofSeconds(1), Duration.ofSeconds(60), 2.0, 0.0);

    /** A failure that retrying cannot fix. */
    private static final class Unprocessable extends RuntimeException implements PermanentFailure {
    }

    private final ArrayDeque<RecordedSignal> log = new ArrayDeque<>();

    private DeliveryLedger ledger(String pattern, int maxInFlight, int maxAttempts) {
        return new DeliveryLedger(SignalPattern.compile(pattern), maxInFlight, maxAttempts, ACK_TIMEOUT, RETRY,
                new SplittableRandom(1), Checkpoint.ORIGIN);
    }

    /** Appends signals of these types at positions 1, 2, … to the log the ledger reads. */
    private void append(String... types) {
        for (String type : types) {
            long position = log.size() + 1;
            Instant time = T0.plusSeconds(position);
            log.add(new RecordedSignal(position, Signal.builder(type).source("/test").time(time).build(), time));
        }
    }

    private PendingSignal take(DeliveryLedger ledger, Instant now) {
        PendingSignal next = ledger.take(now, log::poll);
        assertThat(next).as("a signal to hand out at %s", now).isNotNull();
        return next;
    }

    @Test
    void ackOfLaterSignalDoesNotMoveCheckpointPastUnackedOne() {
        DeliveryLedger ledger = ledger("order.**", 10, 5);
        append("order.a", "order.b", "order.c");
        PendingSignal first = take(ledger, T0);
        PendingSignal second = take(ledger, T0);
        PendingSignal third = take(ledger, T0);

        assertThat(ledger.ack(third)).isTrue();
        assertThat(ledger.checkpoint().position()).isZero();
        assertThat(ledger.ack(first)).isTrue();
        assertThat(ledger.checkpoint().position()).isEqualTo(1);
        assertThat(ledger.ack(second)).isTrue();
        assertThat(ledger.checkpoint()).isEqualTo(new Checkpoint(3, T0.plusSeconds(3)));
        assertThat(ledger.settledCount()).isEqualTo(3);
    }

    @Test
    void checkpointMovesOverSignalsThatDoNotMatch() {
        DeliveryLedger ledger = ledger("order.*", 10, 5);
        append("user.created", "order.created", "user.deleted");
        PendingSignal order = take(ledger, T0);

        assertThat(order.position()).isEqualTo(2);
        assertThat(ledger.take(T0, log::poll)).isNull();
        assertThat(ledger.checkpoint().position()).isEqualTo(1);
        ledger.ack(order);
        assertThat(ledger.checkpoint().position()).isEqualTo(3);
        assertThat(ledger.isSettled(3)).isTrue();
    }

    @Test
    void repeatedAckIsANoOp() {
        DeliveryLedger ledger = ledger("**", 10, 5);
        append("a");
        PendingSignal signal = take(ledger, T0);

        assertThat(ledger.ack(signal)).isTrue();
        assertThat(ledger.ack(signal)).isFalse();
        assertThat(ledger.settledCount()).isEqualTo(1);
    }

    @Test
    void noMoreThanMaxInFlightSignalsAreHandedOutUnacked() {
        DeliveryLedger ledger = ledger("**", 2, 5);
        append("a", "b", "c");
        PendingSignal first = take(ledger, T0);
        take(ledger, T0);

        assertThat(ledger.take(T0, log::poll)).isNull();
        assertThat(ledger.unacked()).isEqualTo(2);
        ledger.ack(first);
        assertThat(take(ledger, T0).position()).isEqualTo(3);
    }

    @Test
    void nackSchedulesARetryAfterTheBackoffAndCountsTheAttempt() {
        DeliveryLedger ledger = ledger("**", 10, 5);
        append("a");
        PendingSignal signal = take(ledger, T0);

        Failure failure = ledger.nack(signal, signal.deliverySequence, new IllegalStateException("boom"), T0);

        assertThat(failure).isEqualTo(new Failure(signal, false, 1));
        assertThat(signal.state).isEqualTo(State.WAITING);
        assertThat(signal.lastFailure).hasMessage("boom");
        assertThat(ledger.nextTimer()).isEqualTo(T0.plusSeconds(1));
        assertThat(ledger.take(T0.plusMillis(999), log::poll)).isNull();
        PendingSignal retry = take(ledger, T0.plusSeconds(1));
        assertThat(retry).isSameAs(signal);
        assertThat(retry.attempts).isEqualTo(2);
        assertThat(ledger.checkpoint().position()).isZero();
    }

    @Test
    void nackOfAnEarlierAttemptIsIgnored() {
        DeliveryLedger ledger = ledger("**", 10, 5);
        append("a");
        PendingSignal signal = take(ledger, T0);
        long firstAttempt = signal.deliverySequence;
        ledger.nack(signal, firstAttempt, new IllegalStateException("first"), T0);
        take(ledger, T0.plusSeconds(1));

        assertThat(ledger.nack(signal, firstAttempt, new IllegalStateException("late"), T0.plusSeconds(2))).isNull();
        assertThat(signal.state).isEqualTo(State.IN_FLIGHT);
    }

    @Test
    void deliveryNotAckedWithinTheAckTimeoutFailsAndIsRetried() {
        DeliveryLedger ledger = ledger("**", 10, 5);
        append("a", "b");
        PendingSignal first = take(ledger, T0);
        PendingSignal second = take(ledger, T0.plusSeconds(5));

        assertThat(ledger.nextTimer()).isEqualTo(T0.plus(ACK_TIMEOUT));
        assertThat(ledger.expire(T0.plus(ACK_TIMEOUT).minusMillis(1))).isEmpty();
        List<Failure> expired = ledger.expire(T0.plus(ACK_TIMEOUT));

        assertThat(expired).containsExactly(new Failure(first, false, 1));
        assertThat(first.lastFailure).hasMessageContaining("not acked within PT30S");
        assertThat(second.state).isEqualTo(State.IN_FLIGHT);
        assertThat(take(ledger, T0.plus(ACK_TIMEOUT).plusSeconds(1))).isSameAs(first);
    }

    @Test
    void lastFailedAttemptDeadLettersAndTheCheckpointPassesItOnlyOnceTheDeadLetterIsWritten() {
        DeliveryLedger ledger = ledger("**", 10, 2);
        append("a", "b");
        PendingSignal poison = take(ledger, T0);
        PendingSignal good = take(ledger, T0);
        ledger.ack(good);
        ledger.nack(poison, 0, new IllegalStateException("1"), T0);
        take(ledger, T0.plusSeconds(1));

        Failure last = ledger.nack(poison, 0, new IllegalStateException("2"), T0.plusSeconds(1));

        assertThat(last).isEqualTo(new Failure(poison, true, 2));
        assertThat(poison.state).isEqualTo(State.SETTLING);
        assertThat(ledger.ack(poison)).as("an ack while its dead letter is written").isFalse();
        assertThat(ledger.checkpoint().position()).isZero();
        ledger.deadLettered(poison);
        assertThat(ledger.checkpoint().position()).isEqualTo(2);
        assertThat(ledger.unacked()).isZero();
    }

    @Test
    void permanentFailureDeadLettersAtOnce() {
        DeliveryLedger ledger = ledger("**", 10, 5);
        append("a");
        PendingSignal signal = take(ledger, T0);

        Failure failure = ledger.nack(signal, 0, new Unprocessable(), T0);

        assertThat(failure).isEqualTo(new Failure(signal, true, 1));
    }

    @Test
    void deadLetterThatCouldNotBeWrittenIsTriedAgainAtItsRetryTimeInsteadOfDelivered() {
        DeliveryLedger ledger = ledger("**", 10, 1);
        append("a");
        PendingSignal signal = take(ledger, T0);
        ledger.nack(signal, 0, new IllegalStateException("boom"), T0);

        ledger.deadLetterFailed(signal, T0.plusSeconds(60));

        assertThat(ledger.take(T0.plusSeconds(59), log::poll)).isNull();
        PendingSignal again = take(ledger, T0.plusSeconds(60));
        assertThat(again.state).as("handed back to write its dead letter").isEqualTo(State.SETTLING);
        assertThat(again.attempts).isEqualTo(1);
        assertThat(DeliveryLedger.withDeadLetter(List.of(), again)).containsExactly(new Failure(again, true, 1));
    }

    @Test
    void redrivenDeadLettersGoAheadOfNewSignalsAndLeaveTheCheckpointAlone() {
        DeliveryLedger ledger = ledger("**", 10, 5);
        append("a", "b");
        PendingSignal a = take(ledger, T0);
        ledger.ack(a);
        var deadLetter = new DeadLetter("sub", 7, Signal.of("old", "/test", null), 5, "x.Y", "boom", T0);

        assertThat(ledger.redrive(List.of(deadLetter, deadLetter), T0)).isEqualTo(1);

        PendingSignal redriven = take(ledger, T0);
        assertThat(redriven.redrive).isTrue();
        assertThat(redriven.position()).isEqualTo(7);
        assertThat(take(ledger, T0).position()).isEqualTo(2);
        ledger.ack(redriven);
        assertThat(ledger.checkpoint().position()).isEqualTo(1);
    }

    @Test
    void newHandlerGetsEveryUnackedDeliveryAgainInPositionOrder() {
        DeliveryLedger ledger = ledger("**", 10, 5);
        append("a", "b", "c");
        PendingSignal first = take(ledger, T0);
        PendingSignal second = take(ledger, T0);
        ledger.nack(first, 0, new IllegalStateException("boom"), T0);

        ledger.redeliverUnacked();

        assertThat(ledger.unacked()).isZero();
        assertThat(take(ledger, T0)).isSameAs(first);
        assertThat(take(ledger, T0)).isSameAs(second);
        assertThat(take(ledger, T0).position()).isEqualTo(3);
    }

    @Test
    void resetForgetsPendingSignalsAndResumesWithStoredAttemptCounts() {
        DeliveryLedger ledger = ledger("**", 10, 3);
        append("a", "b", "c");
        PendingSignal stale = take(ledger, T0);
        log.clear();
        append("a", "b", "c");
        log.poll(); // the store's checkpoint is 1: the next read starts at 2

        ledger.reset(new Checkpoint(1, T0.plusSeconds(1)), Map.of(2L, 2));

        assertThat(ledger.ack(stale)).as("an ack of a forgotten delivery").isFalse();
        assertThat(ledger.checkpoint().position()).isEqualTo(1);
        PendingSignal resumed = take(ledger, T0);
        assertThat(resumed.position()).isEqualTo(2);
        assertThat(resumed.attempts).as("the stored count plus this attempt").isEqualTo(3);
        assertThat(ledger.nack(resumed, 0, new IllegalStateException("again"), T0).deadLetter()).isTrue();
    }

    @Test
    void pendingWindowIsBoundedInBytesAndAlwaysTakesOneSignalHoweverLarge() {
        var ledger = new DeliveryLedger(SignalPattern.compile("**"), 1000, 5, ACK_TIMEOUT, RETRY,
                new SplittableRandom(1), Checkpoint.ORIGIN, 25_000, null);
        for (int i = 1; i <= 4; i++) {
            log.add(new RecordedSignal(i, Signal.of("big", "/test", "x".repeat(i == 1 ? 40_000 : 10_000)), T0));
        }

        PendingSignal first = take(ledger, T0);
        assertThat(ledger.take(T0, log::poll)).as("the first alone is over the bound").isNull();
        ledger.ack(first);
        take(ledger, T0);
        take(ledger, T0);
        take(ledger, T0);

        assertThat(ledger.unacked()).as("three of 10 KB fit in 25 KB only because the third was taken below it")
                .isEqualTo(3);
        assertThat(log).isEmpty();
    }
}
