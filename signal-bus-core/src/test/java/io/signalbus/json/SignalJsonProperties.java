package io.signalbus.json;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalbus.Signal;
import java.time.Instant;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Builders;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class SignalJsonProperties {

    private final SignalJson codec = new SignalJson();

    @Property(tries = 300)
    void decodingAnEncodedSignalGivesAnEqualSignal(@ForAll("signals") Signal signal) {
        assertThat(codec.decode(codec.encode(signal))).isEqualTo(signal);
    }

    @Provide
    Arbitrary<Signal> signals() {
        Arbitrary<String> segment = Arbitraries.strings().withChars("abcXYZ019_-").ofMinLength(1).ofMaxLength(8);
        Arbitrary<String> type = segment.list().ofMinSize(1).ofMaxSize(4).map(s -> String.join(".", s));
        Arbitrary<String> source = Arbitraries.of("/orders", "order_service", "urn:x:y", "https://a/b?q=1");
        Arbitrary<String> text = Arbitraries.strings().all().ofMaxLength(20)
                .filter(s -> s.codePoints().noneMatch(c -> Character.getType(c) == Character.SURROGATE));
        Arbitrary<Instant> time = Arbitraries.longs().between(0, 253_402_300_799L)
                .flatMap(s -> Arbitraries.integers().between(0, 999_999_999).map(n -> Instant.ofEpochSecond(s, n)));
        Arbitrary<Object> scalar = Arbitraries.oneOf(text, Arbitraries.integers(), Arbitraries.of(true, false),
                Arbitraries.longs().greaterOrEqual(1L + Integer.MAX_VALUE));
        Arbitrary<Object> data = Arbitraries.oneOf(scalar,
                Arbitraries.maps(text, scalar).ofMaxSize(4).map(m -> (Object) m),
                scalar.list().ofMaxSize(4).map(l -> (Object) l),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(16).map(b -> (Object) b));
        Arbitrary<String> extensionName = Arbitraries.strings().withChars("abcxyz0189").ofMinLength(1).ofMaxLength(20)
                .filter(n -> !n.equals("data") && !n.equals("id") && !n.equals("type") && !n.equals("time"));
        Arbitrary<Map<String, Object>> extensions = Arbitraries.maps(extensionName, scalar).ofMaxSize(3);

        return Builders.withBuilder(() -> Signal.builder("placeholder"))
                .use(type).in(Signal.Builder::type)
                .use(source).in(Signal.Builder::source)
                .use(time).withProbability(0.7).in(Signal.Builder::time)
                .use(text.filter(s -> !s.isEmpty())).withProbability(0.5).in(Signal.Builder::subject)
                .use(data).withProbability(0.8).in(Signal.Builder::data)
                .use(extensions).in(Signal.Builder::extensions)
                .build(Signal.Builder::build);
    }
}
