package io.signalbus;

import static io.signalbus.testing.FastAwait.await;
import static io.signalbus.testing.TestBuses.signal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalbus.store.SignalStore;
import io.signalbus.store.SubscriptionRecord;
import io.signalbus.testing.DelegatingSignalStore;
import io.signalbus.testing.RecordingHandler;
import io.signalbus.testing.TestBuses;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Invariant 7: nack, handler failure and ack timeout lead to backoff, redelivery and dead letters. */
class RedeliveryTest extends InMemoryBusTest {

    private static final Duration NOTHING_HAPPENS = Duration.ofMillis(100);

    /** A failure with its own class, so dead letters can be checked for the class name. */
    static final class PaymentDeclinedException extends RuntimeException {
        PaymentDeclinedException(String message) {
            super(message);
        }
    }

    private Checkpoint storedCheckpoint(String id) {
        return store.findSubscription("default", id).orElseThrow().checkpoint();
    }

    /** Waits until the worker has recorded a failure whose text contains {@code text} (its retry time is then set). */
    private void awaitFailureRecorded(String id, String text) {
        await().until(() -> {
            String error = status(id).lastError();
            return error != null && error.contains(text);
        });
    }

    private static void assertNoNewDelivery(RecordingHandler handler, int count) {
        await().during(NOTHING_HAPPENS).until(() -> handler.count() == count);
    }

    /** Moves the clock to 1 ms before {@code delay}: nothing; then to {@code delay}: one more delivery. */
    private void expectRedeliveryExactlyAfter(RecordingHandler handler, Duration delay) {
        int before = handler.count();
        clock.advance(delay.minusMillis(1));
        assertNoNewDelivery(handler, before);
        clock.advance(Duration.ofMillis(1));
        await().until(() -> handler.count() == before + 1);
    }

    /** Publishes one signal to a subscription with maxAttempts 1 and nacks it: it is dead-lettered at once. */
    private Signal deadLetterOne(RecordingHandler handler, String type, int n) {
        Signal published = signal(type, n);
        int before = handler.count();
        bus.publish(published);
        await().until(() -> handler.count() == before + 1);
        handler.last().nack(new PaymentDeclinedException("declined " + n));
        return published;
    }

    // ------------------------------------------------------------------ backoff

    @Test
    void nackedSignalIsRedeliveredOnlyAfterTheBackoff() {
        var handler = RecordingHandler.manual();
        bus.subscribe("payment.processed", SubscribeOptions.persistent("p"), handler);
        bus.publish(signal("payment.processed", 1));
        await().until(() -> handler.count() == 1);

        handler.last().nack(new PaymentDeclinedException("insufficient funds"));

        clock.advance(Duration.ofMillis(999));
        assertNoNewDelivery(handler, 1);
        clock.advance(Duration.ofMillis(1));
        await().until(() -> handler.count() == 2);
        assertThat(handler.last().attempt()).isEqualTo(2);
        assertThat(handler.last().position()).isEqualTo(1);
        assertThat(handler.last().signal()).isEqualTo(handler.deliveries().get(0).signal());
    }

    @Test
    void backoffDoublesAfterEachFailedAttempt() {
        var handler = RecordingHandler.manual();
        bus.subscribe("a.b", SubscribeOptions.persistent("p"), handler);
        bus.publish(signal("a.b", 1));
        await().until(() -> handler.count() == 1);

        for (long seconds : new long[] {1, 2, 4, 8}) {
            handler.last().nack(new PaymentDeclinedException("attempt " + handler.last().attempt()));
            expectRedeliveryExactlyAfter(handler, Duration.ofSeconds(seconds));
        }

        assertThat(handler.deliveries()).extracting(Delivery::attempt).containsExactly(1, 2, 3, 4, 5);
    }

    @Test
    void subscriptionsOwnRetryPolicyReplacesTheBusBackoff() {
        var handler = RecordingHandler.manual();
        var ownBackoff = new RetryPolicy(Duration.ofSeconds(5), Duration.ofSeconds(7), 3.0, 0.0);
        bus.subscribe("a.b", SubscribeOptions.persistent("p").retry(ownBackoff), handler);
        bus.publish(signal("a.b", 1));
        await().until(() -> handler.count() == 1);

        for (long seconds : new long[] {5, 7}) {
            handler.last().nack(new PaymentDeclinedException("attempt " + handler.last().attempt()));
            expectRedeliveryExactlyAfter(handler, Duration.ofSeconds(seconds));
        }
    }

    @Test
    void handlerExceptionIsANack() {
        var handler = RecordingHandler.manual().failingWhen(d -> d.attempt() == 1);
        bus.subscribe("a.b", SubscribeOptions.persistent("p"), handler);
        bus.publish(signal("a.b", 1));
        await().until(() -> handler.count() == 1);
        awaitFailureRecorded("p", "attempt 1");

        clock.advance(Duration.ofSeconds(1));

        await().until(() -> handler.count() == 2);
        assertThat(handler.last().attempt()).isEqualTo(2);
        assertThat(status("p").lastError()).startsWith(IllegalStateException.class.getName());
    }

    @Test
    void nackThroughTheBusSchedulesARedeliveryAfterTheBackoff() {
        var handler = RecordingHandler.manual();
        bus.subscribe("a.b", SubscribeOptions.persistent("p"), handler);
        Signal published = signal("a.b", 1);
        bus.publish(published);
        await().until(() -> handler.count() == 1);

        bus.nack("p", published.id(), new PaymentDeclinedException("try later"));

        expectRedeliveryExactlyAfter(handler, Duration.ofSeconds(1));
        assertThat(handler.last().attempt()).isEqualTo(2);
        assertThat(handler.last().signal().id()).isEqualTo(published.id());
    }

    // ------------------------------------------------------------------ ack timeout

    @Test
    void unackedDeliveryIsRedeliveredAfterTheAckTimeoutWithTheNextAttempt() {
        var handler = RecordingHandler.manual();
        bus.subscribe("a.b", SubscribeOptions.persistent("p").ackTimeout(Duration.ofSeconds(5)), handler);
        bus.publish(signal("a.b", 1));
        await().until(() -> handler.count() == 1);

        clock.advance(Duration.ofMillis(4_999));
        assertNoNewDelivery(handler, 1);
        assertThat(status("p").lastError()).isNull();

        clock.advance(Duration.ofMillis(1));
        awaitFailureRecorded("p", "not acked within");
        expectRedeliveryExactlyAfter(handler, Duration.ofSeconds(1));

        assertThat(handler.last().attempt()).isEqualTo(2);
        assertThat(handler.last().position()).isEqualTo(1);
    }

    @Test
    void staleNackOfAnAttemptThatAlreadyTimedOutIsIgnored() {
        var handler = RecordingHandler.manual();
        bus.subscribe("a.b", SubscribeOptions.persistent("p").ackTimeout(Duration.ofSeconds(5)), handler);
        bus.publish(signal("a.b", 1));
        await().until(() -> handler.count() == 1);
        Delivery first = handler.last();
        clock.advance(Duration.ofSeconds(5));
        awaitFailureRecorded("p", "not acked within");
        clock.advance(Duration.ofSeconds(1));
        await().until(() -> handler.count() == 2);
        Delivery second = handler.last();

        first.nack(new PaymentDeclinedException("stale"));

        assertThat(status("p").lastError()).doesNotContain("stale");
        clock.advance(Duration.ofSeconds(2)); // the backoff a wrongly accepted nack of attempt 2 would wait
        assertNoNewDelivery(handler, 2);
        second.ack();
        assertThat(status("p").checkpoint().position()).isEqualTo(1);
        assertThat(status("p").inFlight()).isZero();
    }

    // ------------------------------------------------------------------ dead letters

    @Test
    void signalIsDeadLetteredAfterMaxAttemptsWithItsLastError() {
        var handler = RecordingHandler.manual();
        bus.subscribe("payment.**", SubscribeOptions.persistent("p").maxAttempts(3), handler);
        Signal published = bus.publish(signal("payment.processed", 1)).get(0).signal();
        await().until(() -> handler.count() == 1);

        handler.last().nack(new PaymentDeclinedException("declined 1"));
        expectRedeliveryExactlyAfter(handler, Duration.ofSeconds(1));
        handler.last().nack(new PaymentDeclinedException("declined 2"));
        expectRedeliveryExactlyAfter(handler, Duration.ofSeconds(2));
        Instant deadLetteredAt = clock.instant();
        handler.last().nack(new PaymentDeclinedException("card expired"));

        List<DeadLetter> deadLetters = bus.deadLetters("p");
        assertThat(deadLetters).hasSize(1);
        DeadLetter deadLetter = deadLetters.get(0);
        assertThat(deadLetter.subscriptionId()).isEqualTo("p");
        assertThat(deadLetter.position()).isEqualTo(1);
        assertThat(deadLetter.signal()).isEqualTo(published);
        assertThat(deadLetter.attempts()).isEqualTo(3);
        assertThat(deadLetter.errorType()).isEqualTo(PaymentDeclinedException.class.getName());
        assertThat(deadLetter.errorMessage()).isEqualTo("card expired");
        assertThat(deadLetter.deadLetteredAt()).isEqualTo(deadLetteredAt);
        assertThat(status("p").deadLetters()).isEqualTo(1);
        assertThat(status("p").inFlight()).isZero();
        assertThat(status("p").checkpoint().position()).isEqualTo(1);
        await().until(() -> storedCheckpoint("p").position() == 1);
        clock.advance(Duration.ofMinutes(10));
        assertNoNewDelivery(handler, 3);
    }

    @Test
    void checkpointPassesADeadLetterOnlyOnceItIsStored() {
        bus.close();
        var flaky = new FlakyDeadLetterStore(store);
        bus = TestBuses.builder(flaky, clock).build();
        var handler = RecordingHandler.manual();
        bus.subscribe("a.b", SubscribeOptions.persistent("p").maxAttempts(1), handler);
        bus.publish(signal("a.b", 1), signal("a.b", 2));
        await().until(() -> handler.count() == 2);
        handler.deliveries().get(1).ack();

        handler.deliveries().get(0).nack(new PaymentDeclinedException("declined"));

        assertThat(flaky.failedWrites).isPositive();
        assertThat(bus.deadLetters("p")).isEmpty();
        assertThat(status("p").checkpoint().position()).isZero();
        assertThat(storedCheckpoint("p").position()).isZero();
        assertThat(status("p").state()).as("a stuck dead letter shows").isEqualTo(SubscriptionState.RECOVERING);
        assertThat(status("p").lastError()).contains("cannot store the dead letter of position 1");

        flaky.failDeadLetters = false;
        clock.advance(TestBuses.NO_JITTER.max()); // the worker tries the dead-letter write again

        await().until(() -> bus.deadLetters("p").size() == 1);
        await().until(() -> storedCheckpoint("p").position() == 2);
        assertThat(flaky.checkpointBeforeDeadLetter).isFalse();
        assertThat(handler.count()).as("a dead letter is written, not delivered again").isEqualTo(2);
        assertThat(status("p").state()).isEqualTo(SubscriptionState.ACTIVE);
    }

    @Test
    void redriveDeliversDeadLettersAheadOfNewSignalsWithAttemptOne() {
        var handler = RecordingHandler.manual();
        bus.subscribe("a.b", SubscribeOptions.persistent("p").maxAttempts(1).maxInFlight(1), handler);
        Signal dead = deadLetterOne(handler, "a.b", 1);
        bus.publish(signal("a.b", 2));
        await().until(() -> handler.count() == 2);
        bus.publish(signal("a.b", 3), signal("a.b", 4));
        assertNoNewDelivery(handler, 2);

        assertThat(bus.redriveDeadLetters("p", 10)).isEqualTo(1);
        handler.last().ack();

        await().until(() -> handler.count() == 3);
        assertThat(handler.last().signal().id()).isEqualTo(dead.id());
        assertThat(handler.last().position()).isEqualTo(1);
        assertThat(handler.last().attempt()).isEqualTo(1);
        handler.last().ack();
        await().until(() -> handler.count() == 4);
        handler.last().ack();
        await().until(() -> handler.count() == 5);
        assertThat(handler.positions()).containsExactly(1L, 2L, 1L, 3L, 4L);
    }

    @Test
    void redriveRespectsTheLimitOldestFirst() {
        var handler = RecordingHandler.manual();
        bus.subscribe("a.b", SubscribeOptions.persistent("p").maxAttempts(1), handler);
        for (int n = 1; n <= 3; n++) {
            deadLetterOne(handler, "a.b", n);
        }
        assertThat(bus.deadLetters("p")).hasSize(3);

        assertThat(bus.redriveDeadLetters("p", 2)).isEqualTo(2);

        await().until(() -> handler.count() == 5);
        assertNoNewDelivery(handler, 5);
        assertThat(handler.positions().subList(3, 5)).containsExactly(1L, 2L);
        handler.deliveries().subList(3, 5).forEach(Delivery::ack);
        assertThat(bus.deadLetters("p")).extracting(DeadLetter::position).containsExactly(3L);
    }

    @Test
    void redrivenSignalStaysADeadLetterUntilItIsAcked() {
        var handler = RecordingHandler.manual();
        bus.subscribe("a.b", SubscribeOptions.persistent("p").maxAttempts(1), handler);
        Signal dead = deadLetterOne(handler, "a.b", 1);
        bus.redriveDeadLetters("p", 10);
        await().until(() -> handler.count() == 2);
        assertThat(bus.deadLetters("p")).hasSize(1);

        bus.ack("p", dead.id());

        assertThat(bus.deadLetters("p")).isEmpty();
        assertThat(status("p").deadLetters()).isZero();
        assertThat(status("p").inFlight()).isZero();
    }

    @Test
    void failingRedrivenSignalIsDeadLetteredAgain() {
        var handler = RecordingHandler.manual();
        bus.subscribe("a.b", SubscribeOptions.persistent("p").maxAttempts(2), handler);
        bus.publish(signal("a.b", 1));
        await().until(() -> handler.count() == 1);
        handler.last().nack(new PaymentDeclinedException("first"));
        expectRedeliveryExactlyAfter(handler, Duration.ofSeconds(1));
        handler.last().nack(new PaymentDeclinedException("first"));
        assertThat(bus.deadLetters("p")).hasSize(1);
        clock.advance(Duration.ofMinutes(5));

        bus.redriveDeadLetters("p", 10);
        await().until(() -> handler.count() == 3);
        assertThat(handler.last().attempt()).isEqualTo(1);
        handler.last().nack(new IllegalStateException("second"));
        expectRedeliveryExactlyAfter(handler, Duration.ofSeconds(1));
        assertThat(handler.last().attempt()).isEqualTo(2);
        handler.last().nack(new IllegalStateException("second"));

        List<DeadLetter> deadLetters = bus.deadLetters("p");
        assertThat(deadLetters).hasSize(1);
        assertThat(deadLetters.get(0).attempts()).isEqualTo(2);
        assertThat(deadLetters.get(0).errorType()).isEqualTo(IllegalStateException.class.getName());
        assertThat(deadLetters.get(0).errorMessage()).isEqualTo("second");
        assertThat(deadLetters.get(0).deadLetteredAt()).isEqualTo(clock.instant());
        clock.advance(Duration.ofMinutes(10));
        assertNoNewDelivery(handler, 4);
    }

    @Test
    void discardDeletesDeadLettersOldestFirstUpToTheLimit() {
        var handler = RecordingHandler.manual();
        bus.subscribe("a.b", SubscribeOptions.persistent("p").maxAttempts(1), handler);
        for (int n = 1; n <= 3; n++) {
            deadLetterOne(handler, "a.b", n);
        }

        assertThat(bus.discardDeadLetters("p", 2)).isEqualTo(2);
        assertThat(bus.deadLetters("p")).extracting(DeadLetter::position).containsExactly(3L);
        assertThat(bus.discardDeadLetters("p", 10)).isEqualTo(1);

        assertThat(bus.deadLetters("p")).isEmpty();
        assertThat(status("p").deadLetters()).isZero();
        assertThat(bus.redriveDeadLetters("p", 10)).isZero();
    }

    @Test
    void redriveOfASubscriptionThatIsNotConnectedFails() {
        var handler = RecordingHandler.manual();
        bus.subscribe("a.b", SubscribeOptions.persistent("p").maxAttempts(1), handler);
        deadLetterOne(handler, "a.b", 1);
        bus.unsubscribe("p");

        assertThatThrownBy(() -> bus.redriveDeadLetters("p", 10))
                .isInstanceOf(SubscriptionNotActiveException.class)
                .hasMessageContaining("'p'");
        assertThat(bus.deadLetters("p")).hasSize(1);
    }

    // ------------------------------------------------------------------ restart

    @Test
    void recordedAttemptCountsSurviveARestart() {
        var handler = RecordingHandler.manual();
        bus.subscribe("a.b", SubscribeOptions.persistent("p").maxAttempts(3), handler);
        bus.publish(signal("a.b", 1));
        await().until(() -> handler.count() == 1);
        handler.last().nack(new PaymentDeclinedException("declined 1"));
        expectRedeliveryExactlyAfter(handler, Duration.ofSeconds(1));
        handler.last().nack(new PaymentDeclinedException("declined 2"));
        bus.close();

        bus = TestBuses.builder(store, clock).build();
        var afterRestart = RecordingHandler.manual();
        bus.reconnect("p", afterRestart);

        await().until(() -> afterRestart.count() == 1);
        assertThat(afterRestart.last().attempt()).isEqualTo(3);
        afterRestart.last().nack(new PaymentDeclinedException("declined 3"));
        assertThat(bus.deadLetters("p")).extracting(DeadLetter::attempts, DeadLetter::errorMessage)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(3, "declined 3"));
        clock.advance(Duration.ofMinutes(10));
        assertNoNewDelivery(afterRestart, 1);
    }

    // ------------------------------------------------------------------ retry policy

    @Test
    void jitteredDelaysStayWithinTwentyPercentOfTheExponentialBase() {
        RetryPolicy policy = RetryPolicy.defaults();
        RandomGenerator random = new SplittableRandom(42);

        for (int attempt = 1; attempt <= 6; attempt++) {
            long base = 1000L << (attempt - 1);
            int currentAttempt = attempt;
            List<Long> delays = IntStream.range(0, 2000)
                    .mapToObj(i -> policy.delayAfter(currentAttempt, random).toMillis()).toList();

            assertThat(delays).as("attempt %d", attempt).allSatisfy(d -> assertThat(d).isBetween(
                    Math.round(base * 0.8), Math.round(base * 1.2)));
            assertThat(delays.stream().mapToLong(Long::longValue).min().orElseThrow())
                    .as("jitter spreads downwards").isLessThan(Math.round(base * 0.85));
            assertThat(delays.stream().mapToLong(Long::longValue).max().orElseThrow())
                    .as("jitter spreads upwards").isGreaterThan(Math.round(base * 1.15));
        }
    }

    @Test
    void delayIsCappedAtTheMaximumBeforeJitter() {
        RetryPolicy policy = RetryPolicy.defaults();
        RandomGenerator random = new SplittableRandom(7);

        for (int attempt : new int[] {7, 8, 20, 1000, Integer.MAX_VALUE}) {
            for (int i = 0; i < 500; i++) {
                assertThat(policy.delayAfter(attempt, random).toMillis()).as("attempt %d", attempt)
                        .isBetween(48_000L, 72_000L);
            }
        }
        assertThat(TestBuses.NO_JITTER.delayAfter(1, random)).isEqualTo(Duration.ofSeconds(1));
        assertThat(TestBuses.NO_JITTER.delayAfter(3, random)).isEqualTo(Duration.ofSeconds(4));
        assertThat(TestBuses.NO_JITTER.delayAfter(6, random)).isEqualTo(Duration.ofSeconds(32));
        assertThat(TestBuses.NO_JITTER.delayAfter(7, random)).isEqualTo(Duration.ofSeconds(60));
        assertThat(TestBuses.NO_JITTER.delayAfter(Integer.MAX_VALUE, random)).isEqualTo(Duration.ofSeconds(60));
    }

    // ------------------------------------------------------------------ helpers

    /**
     * A store whose dead-letter writes fail while {@link #failDeadLetters} is set, and which notes a
     * checkpoint written past a signal whose dead letter is not stored yet.
     */
    static final class FlakyDeadLetterStore extends DelegatingSignalStore {

        volatile boolean failDeadLetters = true;
        volatile int failedWrites;
        volatile boolean checkpointBeforeDeadLetter;
        private final List<Long> failedPositions = new ArrayList<>();

        FlakyDeadLetterStore(SignalStore delegate) {
            super(delegate);
        }

        @Override
        public synchronized void addDeadLetter(String busName, long epoch, DeadLetter deadLetter) {
            if (failDeadLetters) {
                failedWrites++;
                failedPositions.add(deadLetter.position());
                throw new SignalStoreException("dead-letter table unavailable", new RuntimeException("disk full"));
            }
            delegate.addDeadLetter(busName, epoch, deadLetter);
            failedPositions.remove(deadLetter.position());
        }

        @Override
        public synchronized void saveCheckpoint(String busName, String subscriptionId, long epoch,
                Checkpoint checkpoint) {
            if (failedPositions.stream().anyMatch(p -> p <= checkpoint.position())) {
                checkpointBeforeDeadLetter = true;
            }
            delegate.saveCheckpoint(busName, subscriptionId, epoch, checkpoint);
        }
    }
}
