package io.signalbus.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import io.signalbus.Signal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Decoding an encoded signal gives an equal signal, for random signals: types, sources, times, subjects,
 * extensions and data of every kind the codec writes (text, numbers, booleans, maps, lists, bytes).
 *
 * <p>Each seed checks {@link #CASES} random signals; a failure names the seed, the case number and the
 * signal, so it can be reproduced.
 */
class SignalJsonPropertyTest {

    private static final int CASES = 100;
    private static final String TYPE_CHARS = "abcXYZ019_-:/@\u00e9";
    /** No reserved attribute name can be spelt with these. */
    private static final String EXTENSION_NAME_CHARS = "abcxyz0189";
    private static final String[] SOURCES = {"/orders", "order_service", "urn:x:y", "https://a/b?q=1"};
    private static final int[] INT_EDGES = {0, 1, -1, Integer.MIN_VALUE, Integer.MAX_VALUE};
    private static final long[] LONG_EDGES = {1L + Integer.MAX_VALUE, Long.MAX_VALUE};
    private static final long MAX_EPOCH_SECOND = 253_402_300_799L; // 9999-12-31T23:59:59Z

    private final SignalJson codec = new SignalJson();

    static LongStream seeds() {
        return LongStream.of(1, 42, 20_240_611);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void decodingAnEncodedSignalGivesAnEqualSignal(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int n = 0; n < CASES; n++) {
            Signal signal = signal(random);
            String context = "seed %d case %d: signal %s".formatted(seed, n, describe(signal));
            String json = assertDoesNotThrow(() -> codec.encode(signal), context);
            Signal decoded = assertDoesNotThrow(() -> codec.decode(json), context + ", json " + json);
            assertThat(decoded)
                    .withFailMessage("%s%n  json    %s%n  decoded %s", context, json, describe(decoded))
                    .isEqualTo(signal);
        }
    }

    private static Signal signal(SplittableRandom random) {
        Signal.Builder builder = Signal.builder(type(random)).source(SOURCES[random.nextInt(SOURCES.length)]);
        if (random.nextInt(10) < 7) {
            builder.time(time(random));
        }
        if (random.nextBoolean()) {
            builder.subject(text(random, 1));
        }
        if (random.nextInt(10) < 8) {
            builder.data(data(random));
        }
        Map<String, Object> extensions = new LinkedHashMap<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            // CloudEvents Integer is 32-bit: an extension never holds a larger long
            Object value = scalar(random);
            extensions.put(chars(random, EXTENSION_NAME_CHARS, 1, 64), value instanceof Long ? text(random, 0) : value);
        }
        return builder.extensions(extensions).build();
    }

    /** 1 to 4 segments of 1 to 8 characters. */
    private static String type(SplittableRandom random) {
        List<String> segments = new ArrayList<>();
        for (int i = 1 + random.nextInt(4); i > 0; i--) {
            segments.add(chars(random, TYPE_CHARS, 1, 8));
        }
        return String.join(".", segments);
    }

    /** Any instant from 1970 to the end of 9999, to the nanosecond, its edges included. */
    private static Instant time(SplittableRandom random) {
        return switch (random.nextInt(10)) {
            case 0 -> Instant.EPOCH;
            case 1 -> Instant.ofEpochSecond(MAX_EPOCH_SECOND, 999_999_999);
            default -> Instant.ofEpochSecond(random.nextLong(MAX_EPOCH_SECOND + 1), random.nextInt(1_000_000_000));
        };
    }

    private static Object data(SplittableRandom random) {
        return switch (random.nextInt(4)) {
            case 0 -> scalar(random);
            case 1 -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = random.nextInt(5); i > 0; i--) {
                    map.put(text(random, 0), scalar(random));
                }
                yield map;
            }
            case 2 -> {
                List<Object> list = new ArrayList<>();
                for (int i = random.nextInt(5); i > 0; i--) {
                    list.add(scalar(random));
                }
                yield list;
            }
            default -> {
                byte[] bytes = new byte[random.nextInt(17)];
                random.nextBytes(bytes);
                yield bytes;
            }
        };
    }

    /** Text, an int, a boolean or a long too large for an int, edge values often. */
    private static Object scalar(SplittableRandom random) {
        return switch (random.nextInt(4)) {
            case 0 -> text(random, 0);
            case 1 -> random.nextInt(4) == 0 ? INT_EDGES[random.nextInt(INT_EDGES.length)] : random.nextInt();
            case 2 -> random.nextBoolean();
            default -> random.nextInt(4) == 0 ? LONG_EDGES[random.nextInt(LONG_EDGES.length)]
                    : random.nextLong(LONG_EDGES[0], Long.MAX_VALUE);
        };
    }

    /**
     * {@code minLength} to 20 characters (21 when a surrogate pair ends the text) of any kind: control
     * characters, printable ASCII (quotes and backslashes among them), any other character outside the
     * surrogates, and surrogate pairs.
     */
    private static String text(SplittableRandom random, int minLength) {
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(minLength, 21);
        while (text.length() < length) {
            switch (random.nextInt(4)) {
                case 0 -> text.append((char) random.nextInt(0x20));
                case 1 -> text.append((char) random.nextInt(0x20, 0x7F));
                case 2 -> {
                    char c = (char) random.nextInt(0x80, 0x10000);
                    text.append(Character.isSurrogate(c) ? '\uFFFD' : c);
                }
                default -> text.appendCodePoint(random.nextInt(Character.MIN_SUPPLEMENTARY_CODE_POINT,
                        Character.MAX_CODE_POINT + 1));
            }
        }
        return text.toString();
    }

    /** {@code minLength} to {@code maxLength} characters of {@code alphabet}. */
    static String chars(SplittableRandom random, String alphabet, int minLength, int maxLength) {
        StringBuilder chars = new StringBuilder();
        for (int i = random.nextInt(minLength, maxLength + 1); i > 0; i--) {
            chars.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return chars.toString();
    }

    /** Every attribute, with text escaped so that the failure message shows it exactly. */
    private static String describe(Signal signal) {
        return "{id=%s, type=%s, source=%s, time=%s, subject=%s, datacontenttype=%s, dataschema=%s, data=%s, extensions=%s}"
                .formatted(signal.id(), signal.type(), signal.source(), signal.time(), show(signal.subject()),
                        signal.datacontenttype(), signal.dataschema(), show(signal.data()), show(signal.extensions()));
    }

    private static String show(Object value) {
        if (value instanceof String text) {
            return text.chars().mapToObj(c -> c >= 0x20 && c < 0x7F && c != '"' && c != '\\'
                    ? String.valueOf((char) c) : "\\u%04x".formatted(c)).collect(Collectors.joining("", "\"", "\""));
        }
        if (value instanceof byte[] bytes) {
            return "bytes" + Arrays.toString(bytes);
        }
        if (value instanceof Map<?, ?> map) {
            return map.entrySet().stream().map(e -> show(e.getKey()) + "=" + show(e.getValue()))
                    .collect(Collectors.joining(", ", "{", "}"));
        }
        if (value instanceof List<?> list) {
            return list.stream().map(SignalJsonPropertyTest::show).collect(Collectors.joining(", ", "[", "]"));
        }
        return value instanceof Long ? value + "L" : String.valueOf(value);
    }
}
