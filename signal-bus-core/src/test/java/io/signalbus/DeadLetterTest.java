package io.signalbus;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A dead letter's error texts can always be stored: no control characters but \n and \t, bounded length. */
class DeadLetterTest {

    private static final Signal SIGNAL = Signal.of("a.b", "s", null);

    @Test
    void controlCharactersOtherThanNewlineAndTabAreReplaced() {
        DeadLetter deadLetter = deadLetter("bad\u0000Type", "bad\u0000byte\r\n\tnext\u001b \uD83D\uDE00 \uD800");

        assertThat(deadLetter.errorType()).isEqualTo("bad\uFFFDType");
        assertThat(deadLetter.errorMessage()).isEqualTo("bad\uFFFDbyte\uFFFD\n\tnext\uFFFD \uD83D\uDE00 \uFFFD");
    }

    @Test
    void errorTextsAreCutToTheirLimits() {
        DeadLetter deadLetter = deadLetter("T".repeat(5000), "m".repeat(5000));

        assertThat(deadLetter.errorType()).hasSize(DeadLetter.MAX_ERROR_TYPE_LENGTH);
        assertThat(deadLetter.errorMessage()).hasSize(DeadLetter.MAX_ERROR_MESSAGE_LENGTH);
    }

    @Test
    void cleanTextsAndNullMessagesAreKeptAsTheyAre() {
        assertThat(deadLetter("java.lang.IllegalStateException", "line 1\n\tline 2").errorMessage())
                .isEqualTo("line 1\n\tline 2");
        assertThat(deadLetter("x", null).errorMessage()).isNull();
    }

    private static DeadLetter deadLetter(String type, String message) {
        return new DeadLetter("sub", 1, SIGNAL, 1, type, message, Instant.EPOCH);
    }
}
