package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import io.signalbus.jdbc.WaitingTransactions.Waiting;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How much one sequencing step takes: whole committed transactions in commit order, at most the
 * batch of signals and {@link Sequencer#MAX_STEP_CHARS} characters of envelopes, but always at least
 * one transaction, however large; how much waits for the steps, and what a step hands on. The
 * sequencer's threads are not started: {@code next} and {@code handOn} are called directly, and no
 * step reaches the database.
 */
class SequencerStepTest {

    private static final String BUS = "orders";

    private final Sequencer sequencer = new Sequencer(null, 1000, Duration.ofSeconds(1), bus -> { });

    @Test
    void aStepTakesWholeTransactionsUpToTheBatchOfSignalsInCommitOrder() {
        for (long key = 1; key <= 1500; key++) {
            commit(key, 1, 10);
        }

        assertThat(sequencer.next(BUS)).hasSize(1000).extracting(Waiting::txKey).startsWith(1L, 2L, 3L)
                .endsWith(1000L);
        assertThat(sequencer.next(BUS)).hasSize(500).extracting(Waiting::txKey).startsWith(1001L);
        assertThat(sequencer.next(BUS)).isEmpty();
    }

    @Test
    void aStepTakesNoMoreThanTheCharacterBoundOfEnvelopes() {
        int third = (int) (Sequencer.MAX_STEP_CHARS / 3) + 1; // three of them are just over the bound
        commit(1, 1, third);
        commit(2, 1, third);
        commit(3, 1, third);

        assertThat(sequencer.next(BUS)).extracting(Waiting::txKey).containsExactly(1L, 2L);
        assertThat(sequencer.next(BUS)).extracting(Waiting::txKey).containsExactly(3L);
    }

    @Test
    void aTransactionLargerThanTheBoundsIsAStepOfItsOwn() {
        commit(1, 1, 10);
        commit(2, 1200, (int) (Sequencer.MAX_STEP_CHARS / 1000)); // more signals than the batch, more characters than the bound
        commit(3, 1, 10);

        assertThat(sequencer.next(BUS)).extracting(Waiting::txKey).containsExactly(1L);
        assertThat(sequencer.next(BUS)).extracting(Waiting::txKey).containsExactly(2L);
        assertThat(sequencer.next(BUS)).extracting(Waiting::txKey).containsExactly(3L);
    }

    @Test
    void moreThanAStepWaitsOnlyOnceTheWaitingSignalsExceedTheBatch() {
        for (long key = 1; key <= 10; key++) {
            commit(key, 100, 10);
        }
        assertThat(sequencer.moreThanAStepWaits(BUS)).as("1,000 signals: one step takes them all").isFalse();

        commit(11, 1, 10);
        assertThat(sequencer.moreThanAStepWaits(BUS)).as("1,001 signals: a step leaves one behind").isTrue();

        sequencer.next(BUS);
        assertThat(sequencer.moreThanAStepWaits(BUS)).isFalse();
    }

    @Test
    void moreThanAStepWaitsOnceTheWaitingEnvelopesExceedTheCharacterBound() {
        int half = (int) (Sequencer.MAX_STEP_CHARS / 2);
        commit(1, 1, half);
        commit(2, 1, half);
        assertThat(sequencer.moreThanAStepWaits(BUS)).isFalse();

        commit(3, 1, 10);
        assertThat(sequencer.moreThanAStepWaits(BUS)).isTrue();
    }

    @Test
    void noStepWaitsOnABusWithNothingCommitted() {
        assertThat(sequencer.moreThanAStepWaits(BUS)).isFalse();
    }

    @Test
    void transactionsBeyondTheHeldSignalsWaitByTheirKeysAloneInCommitOrder() {
        int held = (int) (WaitingTransactions.MAX_HELD_SIGNALS / 100);
        for (long key = 1; key <= held + 2; key++) {
            commit(key, 100, 10);
        }

        List<Waiting> waiting = drain();
        assertThat(waiting).extracting(Waiting::txKey).hasSize(held + 2).isSorted();
        assertThat(waiting).filteredOn(Waiting::held).hasSize(held);
        assertThat(waiting.subList(held, held + 2)).noneMatch(Waiting::held)
                .allMatch(transaction -> transaction.size() == 100);
        commit(held + 3L, 100, 10);
        assertThat(drain()).as("kept again once their steps took them").allMatch(Waiting::held);
    }

    @Test
    void transactionsBeyondTheHeldCharactersWaitByTheirKeysAlone() {
        int quarter = (int) (WaitingTransactions.MAX_HELD_CHARS / 4);
        for (long key = 1; key <= 5; key++) {
            commit(key, 1, quarter);
        }

        assertThat(drain()).extracting(Waiting::held).containsExactly(true, true, true, true, false);
    }

    @Test
    void aTransactionLargerThanTheHeldBoundsIsKeptWhenNoneIsHeld() {
        commit(1, (int) WaitingTransactions.MAX_HELD_SIGNALS + 1, 10);
        commit(2, 1, 10);

        assertThat(drain()).extracting(Waiting::held).containsExactly(true, false);
    }

    @Test
    void transactionsBeyondTheWaitingBoundAreLeftToTheBackstop() {
        for (long key = 1; key <= WaitingTransactions.MAX_WAITING + 1; key++) {
            commit(key, 1, 10);
        }

        assertThat(drain()).hasSize(WaitingTransactions.MAX_WAITING).extracting(Waiting::txKey)
                .doesNotContain(WaitingTransactions.MAX_WAITING + 1L);
    }

    @Test
    void aStepHandsOnTheHeldTransactionsAndLeavesTheOthersToBeReadFromTheLog() {
        var elsewhere = new ArrayList<String>();
        var handedOn = new ArrayList<RecordedSignal>();
        var handingOn = new Sequencer(null, 1000, Duration.ofSeconds(1), elsewhere::add);
        Signal held = Signal.of("order.created", "test", Map.of("n", 1));
        Signal keyOnly = Signal.of("order.created", "test", Map.of("n", 2));
        Instant now = Instant.now();
        var step = new PendingMover.Step(2, Map.of(
                1L, List.of(new PendingMover.Moved(held.id(), 7, now)),
                2L, List.of(new PendingMover.Moved(keyOnly.id(), 8, now))));

        handingOn.handOn(BUS, List.of(
                new Waiting(1, List.of(new AppendRequest(BUS, List.of(held), List.of("{}"), now,
                        handedOn::addAll)), 1, 2),
                new Waiting(2, List.of(), 1, 2)), step);

        assertThat(handedOn).extracting(RecordedSignal::position, r -> r.signal().id())
                .containsExactly(tuple(7L, held.id()));
        assertThat(elsewhere).containsExactly(BUS);
    }

    @Test
    void aStepWhoseTransactionsWereAllHeldReportsNothingAppendedElsewhere() {
        var elsewhere = new ArrayList<String>();
        var handingOn = new Sequencer(null, 1000, Duration.ofSeconds(1), elsewhere::add);
        Signal held = Signal.of("order.created", "test", Map.of("n", 1));
        Instant now = Instant.now();

        handingOn.handOn(BUS, List.of(new Waiting(1, List.of(new AppendRequest(BUS, List.of(held),
                List.of("{}"), now)), 1, 2)), new PendingMover.Step(1, Map.of(1L, List.of(
                        new PendingMover.Moved(held.id(), 7, now)))));

        assertThat(elsewhere).isEmpty();
    }

    /** Every transaction waiting on the bus, in commit order, taken step by step. */
    private List<Waiting> drain() {
        var waiting = new ArrayList<Waiting>();
        for (List<Waiting> step = sequencer.next(BUS); !step.isEmpty(); step = sequencer.next(BUS)) {
            waiting.addAll(step);
        }
        return waiting;
    }

    /** A committed transaction of {@code signals} signals on the bus, each envelope {@code chars} characters long. */
    private void commit(long key, int signals, int chars) {
        var published = new ArrayList<Signal>();
        var envelopes = new ArrayList<String>();
        String envelope = "x".repeat(chars);
        for (int i = 0; i < signals; i++) {
            published.add(Signal.of("order.created", "test", Map.of("n", i)));
            envelopes.add(envelope);
        }
        sequencer.committed(key, Map.of(BUS, List.of(new AppendRequest(BUS, published, envelopes, Instant.now()))));
    }
}
