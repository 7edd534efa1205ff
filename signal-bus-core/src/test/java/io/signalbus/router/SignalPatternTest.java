package io.signalbus.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalbus.InvalidPatternException;
import io.signalbus.InvalidSignalException;
import org.junit.jupiter.api.Test;

class SignalPatternTest {

    // grammar

    @Test
    void typesWithColonsAndSlashesInASegmentAreValidAndSegmentsSplitOnDotsOnly() {
        String type = "dev.knative.apiserver:resource.add";
        assertThat(SignalTypes.requireValid(type)).isEqualTo(type);
        assertThat(SignalTypes.isValid("com.example/orders.v1@created")).isTrue();

        assertThat(SignalPattern.compile("dev.knative.*.add").matches(type)).isTrue();
        assertThat(SignalPattern.compile("dev.knative.apiserver:resource.*").matches(type)).isTrue();
        assertThat(SignalPattern.compile("dev.**").matches(type)).isTrue();
        assertThat(SignalPattern.compile("dev.knative.apiserver.**").matches(type)).isFalse();
        assertThat(SignalPattern.compile("dev.knative.*").matches(type)).isFalse();
    }

    @Test
    void aStarWhitespaceOrControlCharacterIsNeverPartOfATypeSegment() {
        assertThat(SignalTypes.isValid("order.cre*ated")).isFalse();
        assertThat(SignalTypes.isValid("order.cre ated")).isFalse();
        assertThat(SignalTypes.isValid("order.\u00a0")).isFalse();
        assertThat(SignalTypes.isValid("order.a\u0085")).isFalse();
        assertThatThrownBy(() -> SignalPattern.compile("**").matches("order.*"))
                .isInstanceOf(InvalidSignalException.class)
                .hasMessageContaining("segment 2 has '*'; segments allow any character but '.', '*', whitespace");
    }

    @Test
    void acceptsLiteralSegmentsOfLettersDigitsUnderscoreAndDash() {
        assertThat(SignalPattern.compile("Order_1.created-v2.x").value()).isEqualTo("Order_1.created-v2.x");
    }

    @Test
    void acceptsWildcardsAnywhereAndSeveralTimes() {
        assertThat(SignalPattern.compile("*.a.**.b.*").value()).isEqualTo("*.a.**.b.*");
        assertThat(SignalPattern.compile("**.a.**").value()).isEqualTo("**.a.**");
        assertThat(SignalPattern.compile("**.*.**").value()).isEqualTo("**.*.**");
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> SignalPattern.compile(null))
                .isInstanceOf(InvalidPatternException.class)
                .hasMessage("invalid pattern null: pattern is required");
    }

    @Test
    void rejectsEmptyPattern() {
        assertThatThrownBy(() -> SignalPattern.compile(""))
                .isInstanceOf(InvalidPatternException.class)
                .hasMessage("invalid pattern '': pattern is empty");
    }

    @Test
    void rejectsEmptySegment() {
        assertThatThrownBy(() -> SignalPattern.compile("a..b"))
                .isInstanceOf(InvalidPatternException.class)
                .hasMessage("invalid pattern 'a..b': segment 2 is empty");
    }

    @Test
    void rejectsLeadingDot() {
        assertThatThrownBy(() -> SignalPattern.compile(".a"))
                .isInstanceOf(InvalidPatternException.class)
                .hasMessage("invalid pattern '.a': segment 1 is empty");
    }

    @Test
    void rejectsTrailingDot() {
        assertThatThrownBy(() -> SignalPattern.compile("a.**."))
                .isInstanceOf(InvalidPatternException.class)
                .hasMessage("invalid pattern 'a.**.': segment 3 is empty");
    }

    @Test
    void rejectsCharacterOutsideTheGrammar() {
        assertThatThrownBy(() -> SignalPattern.compile("order.cre ated"))
                .isInstanceOf(InvalidPatternException.class)
                .hasMessageStartingWith("invalid pattern 'order.cre ated': segment 2 has ' '");
        assertThatThrownBy(() -> SignalPattern.compile("order.created\n"))
                .isInstanceOf(InvalidPatternException.class)
                .hasMessageStartingWith("invalid pattern 'order.created\\n': segment 2 has '\\n'");
    }

    @Test
    void rejectsPartialWildcard() {
        assertThatThrownBy(() -> SignalPattern.compile("user*"))
                .isInstanceOf(InvalidPatternException.class)
                .hasMessage("invalid pattern 'user*': segment 1 mixes '*' with other characters");
        assertThatThrownBy(() -> SignalPattern.compile("a.**b"))
                .isInstanceOf(InvalidPatternException.class)
                .hasMessage("invalid pattern 'a.**b': segment 2 mixes '*' with other characters");
    }

    @Test
    void rejectsTripleStar() {
        assertThatThrownBy(() -> SignalPattern.compile("a.***"))
                .isInstanceOf(InvalidPatternException.class)
                .hasMessageStartingWith("invalid pattern 'a.***': segment 2 is '***'");
    }

    @Test
    void rejectsAdjacentDoubleStars() {
        assertThatThrownBy(() -> SignalPattern.compile("a.**.**"))
                .isInstanceOf(InvalidPatternException.class)
                .hasMessage("invalid pattern 'a.**.**': '**.**' is not allowed (use a single '**')");
        assertThatThrownBy(() -> SignalPattern.compile("**.**.a"))
                .isInstanceOf(InvalidPatternException.class)
                .hasMessage("invalid pattern '**.**.a': '**.**' is not allowed (use a single '**')");
    }

    @Test
    void acceptsPatternOfMaximumLength() {
        String pattern = "a".repeat(SignalTypes.MAX_LENGTH - 3) + ".**";
        assertThat(SignalPattern.compile(pattern).value()).hasSize(SignalTypes.MAX_LENGTH);
    }

    @Test
    void rejectsPatternLongerThanMaximumLength() {
        String pattern = "a".repeat(SignalTypes.MAX_LENGTH + 1);
        assertThatThrownBy(() -> SignalPattern.compile(pattern))
                .isInstanceOf(InvalidPatternException.class)
                .hasMessage("invalid pattern '" + pattern + "': longer than 255 characters (256)");
    }

    @Test
    void equalsHashCodeAndToStringAreByValue() {
        SignalPattern pattern = SignalPattern.compile("order.**");
        assertThat(pattern).isEqualTo(SignalPattern.compile("order.**")).hasSameHashCodeAs(SignalPattern.compile("order.**"));
        assertThat(pattern).isNotEqualTo(SignalPattern.compile("order.*"));
        assertThat(pattern).hasToString("order.**");
    }

    // matching

    @Test
    void trailingDoubleStarMatchesZeroSegments() {
        assertThat(SignalPattern.compile("order.**").matches("order")).isTrue();
    }

    @Test
    void trailingDoubleStarMatchesOneSegment() {
        assertThat(SignalPattern.compile("order.**").matches("order.created")).isTrue();
    }

    @Test
    void trailingDoubleStarMatchesSeveralSegments() {
        assertThat(SignalPattern.compile("order.**").matches("order.a.b")).isTrue();
    }

    @Test
    void doubleStarDoesNotExtendALiteralSegment() {
        assertThat(SignalPattern.compile("order.**").matches("orders")).isFalse();
        assertThat(SignalPattern.compile("order.**").matches("orders.created")).isFalse();
    }

    @Test
    void starMatchesExactlyOneSegment() {
        assertThat(SignalPattern.compile("user.*.created").matches("user.42.created")).isTrue();
    }

    @Test
    void starDoesNotMatchZeroSegments() {
        assertThat(SignalPattern.compile("user.*.created").matches("user.created")).isFalse();
    }

    @Test
    void starDoesNotMatchTwoSegments() {
        assertThat(SignalPattern.compile("user.*.created").matches("user.1.2.created")).isFalse();
    }

    @Test
    void bareDoubleStarMatchesEveryType() {
        SignalPattern everything = SignalPattern.compile("**");
        assertThat(everything.matches("a")).isTrue();
        assertThat(everything.matches("order.created")).isTrue();
        assertThat(everything.matches("a.b.c.d.e")).isTrue();
    }

    @Test
    void leadingDoubleStarMatchesZeroSegments() {
        assertThat(SignalPattern.compile("**.created").matches("created")).isTrue();
    }

    @Test
    void leadingDoubleStarMatchesSeveralSegments() {
        assertThat(SignalPattern.compile("**.created").matches("a.b.created")).isTrue();
        assertThat(SignalPattern.compile("**.created").matches("a.b.created.later")).isFalse();
    }

    @Test
    void innerDoubleStarMatchesZeroOneAndSeveralSegments() {
        SignalPattern pattern = SignalPattern.compile("a.**.z");
        assertThat(pattern.matches("a.z")).isTrue();
        assertThat(pattern.matches("a.b.z")).isTrue();
        assertThat(pattern.matches("a.b.c.z")).isTrue();
        assertThat(pattern.matches("a")).isFalse();
        assertThat(pattern.matches("a.z.b")).isFalse();
    }

    @Test
    void literalPatternMatchesExactlyNeverByPrefix() {
        assertThat(SignalPattern.compile("order").matches("order")).isTrue();
        assertThat(SignalPattern.compile("order").matches("order.created")).isFalse();
        assertThat(SignalPattern.compile("order.created").matches("order")).isFalse();
    }

    @Test
    void literalSegmentsAreCaseSensitive() {
        assertThat(SignalPattern.compile("order.created").matches("Order.created")).isFalse();
    }

    @Test
    void starsAndDoubleStarsCombine() {
        SignalPattern pattern = SignalPattern.compile("*.a.**.b.*");
        assertThat(pattern.matches("x.a.b.y")).isTrue();
        assertThat(pattern.matches("x.a.q.r.b.y")).isTrue();
        assertThat(pattern.matches("a.b.y")).isFalse();
        assertThat(pattern.matches("x.a.b")).isFalse();
    }

    @Test
    void matchesRejectsAnInvalidTypeNamingItAndTheReason() {
        SignalPattern pattern = SignalPattern.compile("order.**");
        assertThatThrownBy(() -> pattern.matches("order..created"))
                .isInstanceOf(InvalidSignalException.class)
                .hasMessage("invalid signal type 'order..created': segment 2 is empty");
        assertThatThrownBy(() -> pattern.matches("other.x y"))
                .isInstanceOf(InvalidSignalException.class)
                .hasMessageStartingWith("invalid signal type 'other.x y': segment 2 has ' '");
        assertThatThrownBy(() -> pattern.matches(""))
                .isInstanceOf(InvalidSignalException.class)
                .hasMessage("invalid signal type '': type is empty");
    }
}
