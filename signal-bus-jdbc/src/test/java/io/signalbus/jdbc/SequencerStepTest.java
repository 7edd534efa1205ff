package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalbus.Signal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How much one sequencing step takes: whole committed transactions in commit order, at most the
 * batch of signals and {@link Sequencer#MAX_STEP_CHARS} characters of envelopes, but always at least
 * one transaction, however large. The sequencer's threads are not started: {@code next} is called
 * directly, and no step reaches the database.
 */
class SequencerStepTest {

    private static final String BUS = "orders";

    private final Sequencer sequencer = new Sequencer(null, 1000, Duration.ofSeconds(1), bus -> { });

    @Test
    void aStepTakesWholeTransactionsUpToTheBatchOfSignalsInCommitOrder() {
        for (long key = 1; key <= 1500; key++) {
            commit(key, 1, 10);
        }

        assertThat(sequencer.next(BUS)).hasSize(1000).extracting(Sequencer.Waiting::txKey).startsWith(1L, 2L, 3L)
                .endsWith(1000L);
        assertThat(sequencer.next(BUS)).hasSize(500).extracting(Sequencer.Waiting::txKey).startsWith(1001L);
        assertThat(sequencer.next(BUS)).isEmpty();
    }

    @Test
    void aStepTakesNoMoreThanTheCharacterBoundOfEnvelopes() {
        int third = (int) (Sequencer.MAX_STEP_CHARS / 3) + 1; // three of them are just over the bound
        commit(1, 1, third);
        commit(2, 1, third);
        commit(3, 1, third);

        assertThat(sequencer.next(BUS)).extracting(Sequencer.Waiting::txKey).containsExactly(1L, 2L);
        assertThat(sequencer.next(BUS)).extracting(Sequencer.Waiting::txKey).containsExactly(3L);
    }

    @Test
    void aTransactionLargerThanTheBoundsIsAStepOfItsOwn() {
        commit(1, 1, 10);
        commit(2, 1200, (int) (Sequencer.MAX_STEP_CHARS / 1000)); // more signals than the batch, more characters than the bound
        commit(3, 1, 10);

        assertThat(sequencer.next(BUS)).extracting(Sequencer.Waiting::txKey).containsExactly(1L);
        assertThat(sequencer.next(BUS)).extracting(Sequencer.Waiting::txKey).containsExactly(2L);
        assertThat(sequencer.next(BUS)).extracting(Sequencer.Waiting::txKey).containsExactly(3L);
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
