package io.signalbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalbus.router.SignalPattern;
import io.signalbus.router.SignalTypes;
import org.junit.jupiter.api.Test;

/** Messages that quote what a caller passed cannot forge log lines: control characters are escaped. */
class ErrorMessagesEscapeUserInputTest extends InMemoryBusTest {

    private static final String FORGED = "x\n2026-01-01 ERROR forged\u0000\u001b[31m";

    @Test
    void quoteEscapesControlCharactersAndShortensLongValues() {
        assertThat(SignalBusException.quote("a\nb\r\tc\u0000\u2028")).isEqualTo("'a\\nb\\r\\tc\\u0000\\u2028'");
        assertThat(SignalBusException.quote(null)).isEqualTo("null");
        assertThat(SignalBusException.quote("y".repeat(301))).startsWith("'yyy").endsWith("...' (301 characters)");
    }

    @Test
    void startFromParseOfNullIsAnInvalidOption() {
        assertThatThrownBy(() -> StartFrom.parse(null))
                .isInstanceOf(InvalidOptionException.class)
                .hasMessageContaining("start-from is required");
    }

    @Test
    void messagesQuotingUserInputHaveNoRawControlCharacters() {
        assertEscaped(() -> StartFrom.parse(FORGED));
        assertEscaped(() -> SubscribeOptions.persistent(FORGED));
        assertEscaped(() -> SignalPattern.compile(FORGED));
        assertEscaped(() -> SignalTypes.requireValid(FORGED));
        assertEscaped(() -> bus.deadLetters(FORGED));
        assertEscaped(() -> bus.ack(FORGED, "id"));
        assertEscaped(() -> SignalIds.timestampOf(FORGED));
        assertEscaped(() -> Signal.builder("a.b").source("s").id(FORGED).build());
    }

    private static void assertEscaped(Runnable call) {
        assertThatThrownBy(call::run)
                .isInstanceOf(SignalBusException.class)
                .hasMessageContaining("x\\n2026-01-01 ERROR forged\\u0000\\u001b[31m")
                .message().doesNotContainPattern("\\p{Cntrl}");
    }
}
