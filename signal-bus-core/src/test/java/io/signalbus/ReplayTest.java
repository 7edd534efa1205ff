package io.signalbus;

import static io.signalbus.testing.TestBuses.signal;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalbus.testing.TestBuses;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Replay: since an instant or from a position, filtered by the one pattern matcher, bounded by a limit. */
class ReplayTest extends InMemoryBusTest {

    private static List<Long> positions(List<RecordedSignal> recorded) {
        return recorded.stream().map(RecordedSignal::position).toList();
    }

    private static List<String> types(List<RecordedSignal> recorded) {
        return recorded.stream().map(r -> r.signal().type()).toList();
    }

    @Test
    void replaySinceAnInstantReturnsMatchingSignalsRecordedAtOrAfterItInPositionOrder() {
        bus.publish(signal("order.created", 1));
        clock.advance(Duration.ofMinutes(1).minusMillis(1));
        bus.publish(signal("order.updated", 2)); // 1 ms before the instant
        clock.advance(Duration.ofMillis(1));
        Instant since = clock.instant();
        bus.publish(signal("order.created", 3), signal("payment.processed", 4));
        clock.advance(Duration.ofSeconds(5));
        bus.publish(signal("order.cancelled", 5));

        List<RecordedSignal> replayed = bus.replay("order.**", ReplayOptions.since(since));

        assertThat(positions(replayed)).containsExactly(3L, 5L);
        assertThat(types(replayed)).containsExactly("order.created", "order.cancelled");
        assertThat(replayed.get(0).recordedAt()).isEqualTo(since);
    }

    @Test
    void replaySinceComparesTheRecordedTimeNotTheSignalsOwnTime() {
        bus.publish(signal("a.b", 1));
        clock.advance(Duration.ofHours(1));
        Instant since = clock.instant();
        Signal backdated = Signal.builder("a.b").source("importer").time(Instant.parse("2020-01-01T00:00:00Z")).build();
        bus.publish(backdated);

        assertThat(bus.replay("a.b", ReplayOptions.since(since))).extracting(r -> r.signal().id())
                .containsExactly(backdated.id());
    }

    @Test
    void replaySinceAnInstantAfterTheLastSignalIsEmpty() {
        bus.publish(signal("a.b", 1));

        assertThat(bus.replay("**", ReplayOptions.since(clock.instant().plusMillis(1)))).isEmpty();
    }

    @Test
    void replayFromAPositionStartsThereInclusive() {
        bus.publish(IntStream.rangeClosed(1, 5).mapToObj(i -> signal("a.b", i)).toList());

        assertThat(positions(bus.replay("**", ReplayOptions.fromPosition(3)))).containsExactly(3L, 4L, 5L);
        assertThat(bus.replay("**", ReplayOptions.fromPosition(6))).isEmpty();
    }

    @Test
    void replayReturnsAtMostLimitMatchingSignalsEvenWhenMatchesAreSparse() {
        bus.close();
        bus = TestBuses.builder(store, clock).name("paged").readBatchSize(2).build();
        bus.publish(IntStream.rangeClosed(1, 12)
                .mapToObj(i -> signal(i % 3 == 0 ? "audit.entry" : "noise.tick", i)).toList());

        List<RecordedSignal> replayed = bus.replay("audit.*", ReplayOptions.fromOrigin().limit(3));

        assertThat(positions(replayed)).containsExactly(3L, 6L, 9L);
        assertThat(positions(bus.replay("audit.*", ReplayOptions.fromPosition(10).limit(3)))).containsExactly(12L);
    }

    @Test
    void doubleStarReplaysEverythingAndAuditDoubleStarIncludesAuditItself() {
        bus.publish(signal("audit", 1), signal("audit.login", 2), signal("auditing", 3), signal("user.audit", 4),
                signal("audit.user.deleted", 5));

        assertThat(positions(bus.replay("**", ReplayOptions.fromOrigin()))).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(types(bus.replay("audit.**", ReplayOptions.fromOrigin())))
                .containsExactly("audit", "audit.login", "audit.user.deleted");
        assertThat(types(bus.replay("audit.*", ReplayOptions.fromOrigin()))).containsExactly("audit.login");
        assertThat(types(bus.replay("audit", ReplayOptions.fromOrigin()))).containsExactly("audit");
    }

    @Test
    void replayWithAnInvalidPatternFailsNamingIt() {
        assertThatThrownBy(() -> bus.replay("audit.**.**", ReplayOptions.fromOrigin()))
                .isInstanceOf(InvalidPatternException.class)
                .hasMessageContaining("'audit.**.**'");
        assertThatThrownBy(() -> bus.replay("order..created", ReplayOptions.fromOrigin()))
                .isInstanceOf(InvalidPatternException.class)
                .hasMessageContaining("'order..created'");
    }

    @Test
    void replayLimitOutsideItsBoundsIsRejectedWithTheValue() {
        assertThatThrownBy(() -> ReplayOptions.fromOrigin().limit(0))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("was 0");
        assertThatThrownBy(() -> ReplayOptions.fromOrigin().limit(ReplayOptions.MAX_LIMIT + 1))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining(String.valueOf(ReplayOptions.MAX_LIMIT + 1));
        assertThat(ReplayOptions.fromOrigin().limit(ReplayOptions.MAX_LIMIT).limit()).isEqualTo(ReplayOptions.MAX_LIMIT);
    }

    @Test
    void replayFromAPositionBelowOneIsRejectedWithTheValue() {
        assertThatThrownBy(() -> ReplayOptions.fromPosition(0))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("was 0");
    }
}
