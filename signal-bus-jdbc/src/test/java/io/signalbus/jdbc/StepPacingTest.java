package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The sequencer's steps start further apart the more signals commit a second (4 ms at 1,000 a
 * second, with the square of the rate), between 1 and 16 ms, the rate a moving average. Times are passed in, no clock.
 */
class StepPacingTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final StepPacing pacing = new StepPacing();

    @Test
    void theIntervalGrowsWithTheRateOfSignalsCommitted() {
        assertThat(pacing.next(1_000, SECOND)).isEqualTo(millis(4));
        assertThat(new StepPacing().next(1_500, SECOND)).isEqualTo(millis(9));
        assertThat(new StepPacing().next(2_000, SECOND)).isEqualTo(millis(16));
        assertThat(new StepPacing().next(12, TimeUnit.MILLISECONDS.toNanos(10))) // 1,200 a second
                .isCloseTo(TimeUnit.MICROSECONDS.toNanos(5_760), within(TimeUnit.MICROSECONDS.toNanos(1)));
    }

    @Test
    void theIntervalStaysWithinOneAndSixteenMilliseconds() {
        assertThat(pacing.next(10, SECOND)).isEqualTo(millis(1));
        assertThat(new StepPacing().next(100_000, SECOND)).isEqualTo(millis(16));
        assertThat(new StepPacing().interval()).isEqualTo(millis(1)); // before any step
    }

    @Test
    void oneBurstMovesTheRateAQuarterOfTheWay() {
        pacing.next(1_000, SECOND);

        assertThat(pacing.next(3_000, SECOND)).isEqualTo(millis(9)); // 1,000 + (3,000 - 1,000) / 4 = 1,500
    }

    @Test
    void quietSpellsBringTheIntervalBackDown() {
        pacing.next(2_000, SECOND);
        long busy = pacing.interval();

        long afterOneQuietStep = pacing.next(1, 10 * SECOND);
        for (int i = 0; i < 20; i++) {
            pacing.next(1, 10 * SECOND);
        }

        assertThat(busy).isEqualTo(millis(16));
        assertThat(afterOneQuietStep).isCloseTo(millis(9), within(TimeUnit.MICROSECONDS.toNanos(1))); // 2,000 - 2,000 / 4
        assertThat(pacing.interval()).isEqualTo(millis(1));
    }

    private static long millis(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }
}
