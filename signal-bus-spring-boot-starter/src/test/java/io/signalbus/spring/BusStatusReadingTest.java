package io.signalbus.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalbus.BusStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class BusStatusReadingTest {

    private static final BusStatus STATUS = new BusStatus("orders", 7, List.of(), null);

    @Test
    void readsTheStatusOnAReaderThread() throws Exception {
        ExecutorService readers = BusStatusReading.readers("test-readers");
        try {
            var thread = new String[1];
            var reading = new BusStatusReading(() -> {
                thread[0] = Thread.currentThread().getName();
                return STATUS;
            }, readers, Duration.ofSeconds(5));

            assertThat(reading.read()).isSameAs(STATUS);
            assertThat(thread[0]).isEqualTo("test-readers");
        } finally {
            readers.shutdownNow();
        }
    }

    @Test
    void aReadingThatFailsThrowsWhatItThrew() {
        var reading = new BusStatusReading(() -> {
            throw new IllegalStateException("connection refused");
        }, Runnable::run, Duration.ofSeconds(5));

        assertThatThrownBy(reading::read).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IllegalStateException.class).hasMessageContaining("connection refused");
    }

    @Test
    void readersShutDownMakeTheReadingFailRatherThanThrowUnchecked() {
        ExecutorService readers = BusStatusReading.readers("test-readers");
        readers.shutdownNow();
        var reading = new BusStatusReading(() -> STATUS, readers, Duration.ofSeconds(5));

        assertThatThrownBy(reading::read).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(RejectedExecutionException.class);
    }

    @Test
    void aReadingNotFinishedWithinTheTimeoutSaysHowLongTheStoreHasNotAnswered() {
        Runnable[] never = new Runnable[1];
        var reading = new BusStatusReading(() -> STATUS, task -> never[0] = task, Duration.ZERO);

        assertThatThrownBy(reading::read).isInstanceOf(TimeoutException.class)
                .hasMessageStartingWith("the store has not answered for PT").hasMessageEndingWith("(timeout PT0S)");
    }

    @Test
    void aNegativeTimeoutIsRefusedNamingIt() {
        assertThatThrownBy(() -> new BusStatusReading(() -> STATUS, Runnable::run, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout must not be negative, was PT-1S");
    }
}
