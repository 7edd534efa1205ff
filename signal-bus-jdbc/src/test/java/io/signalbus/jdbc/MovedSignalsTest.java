package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MovedSignalsTest {

    private static final Instant AT = Instant.parse("2026-12-05T06:00:00Z");

    private final List<List<RecordedSignal>> first = new ArrayList<>();
    private final List<List<RecordedSignal>> second = new ArrayList<>();
    private final Signal a = signal(1);
    private final Signal b = signal(2);
    private final Signal c = signal(3);
    private final AppendRequest firstRequest = request(first, a, b);
    private final AppendRequest secondRequest = request(second, c);

    @Test
    void eachRequestGetsItsSignalsWithThePositionsTheyMovedTo() {
        MovedSignals.handOn(List.of(firstRequest, secondRequest), List.of(moved(a, 7), moved(b, 8), moved(c, 9)));

        assertThat(first).singleElement().satisfies(signals -> {
            assertThat(signals).extracting(RecordedSignal::position).containsExactly(7L, 8L);
            assertThat(signals).extracting(RecordedSignal::signal).containsExactly(a, b);
        });
        assertThat(second).singleElement().satisfies(signals -> {
            assertThat(signals).extracting(RecordedSignal::position).containsExactly(9L);
            assertThat(signals).extracting(RecordedSignal::signal).containsExactly(c);
        });
    }

    @Test
    void aDroppedSignalIsLeftOutAndTheRestAreHandedOnByRequest() {
        MovedSignals.handOn(List.of(firstRequest, secondRequest), List.of(moved(a, 7), moved(c, 8)));

        assertThat(first).singleElement().satisfies(signals ->
                assertThat(signals).extracting(RecordedSignal::signal).containsExactly(a));
        assertThat(second).singleElement().satisfies(signals ->
                assertThat(signals).extracting(RecordedSignal::position).containsExactly(8L));
    }

    @Test
    void aRowOfAnotherTransactionWithTheSameKeyIsNotHandedOn() {
        Signal foreign = signal(4);

        MovedSignals.handOn(List.of(firstRequest, secondRequest),
                List.of(moved(a, 7), moved(foreign, 8), moved(b, 9), moved(c, 10)));

        assertThat(first).singleElement().satisfies(signals ->
                assertThat(signals).extracting(RecordedSignal::position).containsExactly(7L, 9L));
        assertThat(second).singleElement().satisfies(signals ->
                assertThat(signals).extracting(RecordedSignal::position).containsExactly(10L));
    }

    private static Signal signal(int n) {
        return Signal.of("order.created", "moved-signals-test", Map.of("n", n));
    }

    private static AppendRequest request(List<List<RecordedSignal>> handedOn, Signal... signals) {
        return new AppendRequest("default", List.of(signals), Collections.nCopies(signals.length, "{}"), AT,
                handedOn::add);
    }

    private static PendingMover.Moved moved(Signal signal, long position) {
        return new PendingMover.Moved(signal.id(), position, AT);
    }
}
