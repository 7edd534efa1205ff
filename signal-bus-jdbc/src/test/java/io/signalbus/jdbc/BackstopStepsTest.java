package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * How the backstop cuts one page of staged rows into steps: by bus, whole transactions in staging
 * order, leaving out those a local transaction waits for, at most {@link Sequencer#MAX_STEP_CHARS}
 * bytes of envelopes a step, but always at least one transaction. No database: {@code steps} is
 * called directly.
 */
class BackstopStepsTest {

    private static final long THIRD = Sequencer.MAX_STEP_CHARS / 3 + 1; // three are just over the bound

    private final List<PendingMover.StagedKey> page = new ArrayList<>();

    @Test
    void aPageIsOneStepPerBusWhileItsEnvelopesFitTheBound() {
        stage("a", 1, 100);
        stage("b", 2, 100);
        stage("a", 3, 100);
        stage("a", 1, 100);

        assertThat(Backstop.steps(page, bus -> Set.of(), 1000))
                .isEqualTo(Map.of("a", List.of(List.of(1L, 3L)), "b", List.of(List.of(2L))));
    }

    @Test
    void largeTransactionsADeadProcessLeftAreSplitIntoStepsByTheBoundOfEnvelopeBytes() {
        stage("a", 1, THIRD);
        stage("a", 2, THIRD);
        stage("a", 3, THIRD);

        assertThat(Backstop.steps(page, bus -> Set.of(), 1000).get("a")).containsExactly(List.of(1L, 2L), List.of(3L));
    }

    @Test
    void theRowsOfOneTransactionCountTogetherAndATransactionOverTheBoundGoesAlone() {
        stage("a", 1, 10);
        stage("a", 2, THIRD);
        stage("a", 2, THIRD);
        stage("a", 2, THIRD);
        stage("a", 3, 10);

        assertThat(Backstop.steps(page, bus -> Set.of(), 1000).get("a"))
                .containsExactly(List.of(1L), List.of(2L), List.of(3L));
    }

    @Test
    void transactionsALocalTransactionWaitsForAreLeftToTheirOwnSteps() {
        stage("a", 1, 10);
        stage("a", 2, 10);
        stage("b", 2, 10);

        assertThat(Backstop.steps(page, bus -> bus.equals("a") ? Set.of(1L) : Set.of(2L), 1000))
                .isEqualTo(Map.of("a", List.of(List.of(2L))));
    }

    private void stage(String bus, long txKey, long envelopeBytes) {
        page.add(new PendingMover.StagedKey(page.size() + 1, bus, txKey, envelopeBytes));
    }
}
