package io.signalbus.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Times as microseconds since the epoch, the form PostgreSQL's array statements take and the step returns. */
class JdbcMappingTest {

    private static final long SEED = 20261205L;

    @Test
    void aTimeSurvivesMicrosecondsAndBackToTheMicrosecondBeforeAndAfterTheEpoch() {
        var random = new Random(SEED);
        for (int i = 0; i < 10_000; i++) {
            // from about 1680 to 2260, nanoseconds included
            Instant time = Instant.ofEpochSecond(random.nextLong(-9_000_000_000L, 9_000_000_000L),
                    random.nextInt(1_000_000_000));

            assertThat(JdbcMapping.instantOfMicros(JdbcMapping.micros(time)))
                    .as("seed %d, time %s", SEED, time).isEqualTo(time.truncatedTo(ChronoUnit.MICROS));
        }
    }

    @Test
    void microsecondsSurviveATimeAndBack() {
        var random = new Random(SEED);
        for (int i = 0; i < 10_000; i++) {
            long micros = random.nextLong(-9_000_000_000_000_000L, 9_000_000_000_000_000L);

            assertThat(JdbcMapping.micros(JdbcMapping.instantOfMicros(micros))).as("seed %d", SEED).isEqualTo(micros);
        }
    }

    @Test
    void theMicrosecondJustBeforeTheEpochIsNotRoundedTowardIt() {
        assertThat(JdbcMapping.instantOfMicros(-1)).isEqualTo(Instant.EPOCH.minus(1, ChronoUnit.MICROS));
    }
}
