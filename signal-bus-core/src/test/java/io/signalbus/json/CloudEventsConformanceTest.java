package io.signalbus.json;

import static io.signalbus.json.SignalJsonPropertyTest.chars;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.jackson.JsonFormat;
import io.signalbus.InvalidSignalException;
import io.signalbus.Signal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * The CloudEvents Java SDK (4.0.1, its Jackson JSON format) as the oracle of the structured JSON format:
 * what {@link SignalJson} writes the SDK reads with equal attributes and data, what the SDK writes
 * {@link SignalJson} reads with equal attributes and data, and invalid events are rejected by both. Where
 * the SDK is more lenient than the spec, the library keeps to the spec.
 */
class CloudEventsConformanceTest {

    private static final int CASES = 200;
    private static final JsonFormat SDK = new JsonFormat();
    private static final String[] SOURCES = {"/orders", "order_service", "urn:x:y", "https://a/b?q=1",
            "dev.knative.eventing/ns"};
    private static final String TYPE_CHARS = "abcXYZ019_-:/@+\u00e9";
    private static final String ID_CHARS = "abc019-_ :/@\u00e9";
    private static final String EXTENSION_NAME_CHARS = "abcxyz0189";

    private final SignalJson codec = new SignalJson();

    static LongStream seeds() {
        return LongStream.of(7, 2026, 31_337);
    }

    // ---- what the library writes, the SDK reads

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void everyEnvelopeTheLibraryWritesIsReadByTheSdkWithEqualAttributesAndData(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int n = 0; n < CASES; n++) {
            Signal signal = randomSignal(random);
            String context = "seed %d case %d: %s".formatted(seed, n, signal);
            String json = codec.encode(signal);
            CloudEvent event = assertDoesNotThrow(() -> SDK.deserialize(json.getBytes(StandardCharsets.UTF_8)),
                    context + ", json " + json);
            assertEqual(signal, event, context + ", json " + json);
        }
    }

    @Test
    void theSdkReadsTheConformanceFindingsAsTheLibraryWritesThem() {
        Signal signal = Signal.builder("dev.knative.apiserver:resource.add").id("order 1").source("/apiserver")
                .extension("averyveryverylongextension", "26 characters").extension("seq", Integer.MAX_VALUE)
                .extension("small", 5L).data(Map.of("order_id", "o-1")).build();
        String json = codec.encode(signal);

        CloudEvent event = SDK.deserialize(json.getBytes(StandardCharsets.UTF_8));

        assertEqual(signal, event, json);
        assertThat(event.getExtension("small")).isEqualTo(5);
    }

    // ---- what the SDK writes, the library reads

    static List<CloudEvent> sdkCorpus() {
        OffsetDateTime time = OffsetDateTime.of(2026, 12, 4, 10, 15, 30, 123_456_789, ZoneOffset.ofHours(2));
        CloudEventBuilder base = CloudEventBuilder.v1().withId("order 1").withSource(URI.create("/orders"))
                .withType("dev.knative.apiserver:resource.add");
        return List.of(
                base.newBuilder().build(),
                base.newBuilder().withTime(time).withSubject("o-1").withDataSchema(URI.create("https://s.example/o"))
                        .build(),
                base.newBuilder().withDataContentType("application/octet-stream")
                        .withData(new byte[] {0, 1, 2, (byte) 0xff, 0x7f}).build(),
                base.newBuilder().withDataContentType("image/png").withData(new byte[] {(byte) 0x89, 'P', 'N', 'G'})
                        .build(),
                base.newBuilder().withDataContentType("text/plain; charset=utf-8")
                        .withData("h\u00e9llo \uD83D\uDE00".getBytes(StandardCharsets.UTF_8)).build(),
                base.newBuilder().withDataContentType("application/json")
                        .withData("{\"order_id\":\"o-1\",\"lines\":[1,2.5,true,null],\"n\":{}}"
                                .getBytes(StandardCharsets.UTF_8)).build(),
                base.newBuilder().withDataContentType("application/cloudevents+json; charset=utf-8")
                        .withData("[1,\"two\"]".getBytes(StandardCharsets.UTF_8)).build(),
                base.newBuilder().withDataContentType("application/json")
                        .withData("\"just text\"".getBytes(StandardCharsets.UTF_8)).build(),
                base.newBuilder().withExtension("tenant", "acme").withExtension("seq", 42)
                        .withExtension("replayed", true).withExtension("region", URI.create("urn:acme:eu"))
                        .withExtension("averyveryverylongextension", "26 characters long")
                        .withExtension("stamp", time).build());
    }

    @ParameterizedTest
    @MethodSource("sdkCorpus")
    void everyEventTheSdkWritesIsReadByTheLibraryWithEqualAttributesAndData(CloudEvent event) {
        String json = new String(SDK.serialize(event), StandardCharsets.UTF_8);

        Signal signal = codec.decode(json);

        // compared with the event as the SDK reads it back: a time extension is a string in JSON
        assertEqual(signal, SDK.deserialize(json.getBytes(StandardCharsets.UTF_8)), json);
    }

    @Test
    void textDataSentAsDataBase64ReadsAsText() {
        String json = envelope("\"datacontenttype\":\"text/plain\",\"data_base64\":\"aMOpbGxv\"");

        Signal signal = codec.decode(json);

        assertThat(signal.dataAs(String.class)).isEqualTo("h\u00e9llo");
        assertEqual(signal, SDK.deserialize(json.getBytes(StandardCharsets.UTF_8)), json);
    }

    @Test
    void jsonDataSentAsDataBase64IsUsableAsAMap() {
        String json = envelope("\"datacontenttype\":\"application/json\",\"data_base64\":\""
                + java.util.Base64.getEncoder().encodeToString("{\"order_id\":\"o-1\"}".getBytes(StandardCharsets.UTF_8))
                + "\"");

        Signal signal = codec.decode(json);

        assertThat(signal.dataAs(Map.class)).isEqualTo(Map.of("order_id", "o-1"));
        assertEqual(signal, SDK.deserialize(json.getBytes(StandardCharsets.UTF_8)), json);
    }

    @Test
    void dataBase64WithoutContentTypeIsReadAsJsonAsTheFormatSays() {
        String json = envelope("\"data_base64\":\"eyJhIjoxfQ==\""); // {"a":1}

        Signal signal = codec.decode(json);

        assertThat(signal.datacontenttype()).isEqualTo("application/json");
        assertThat(signal.dataAs(Map.class)).isEqualTo(Map.of("a", 1));
    }

    // ---- invalid events: rejected by both; where the SDK is lenient, the library keeps to the spec

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"specversion\":\"1.0\",\"source\":\"/s\",\"type\":\"a.b\"}",
            "{\"specversion\":\"2.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"a.b\"}",
            "{\"specversion\":\"1.1\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"a.b\"}",
            "{\"id\":\"1\",\"source\":\"/s\",\"type\":\"a.b\"}",
            "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\"}",
            "{\"specversion\":\"1.0\",\"id\":\"1\",\"type\":\"a.b\"}",
            "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"a.b\",\"big\":5000000000}",
            "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"a.b\",\"datacontenttype\":\"text/plain\","
                    + "\"data\":{\"k\":1}}"})
    void invalidEventsAreRejectedByBoth(String json) {
        assertThatThrownBy(() -> SDK.deserialize(json.getBytes(StandardCharsets.UTF_8))).as("SDK").isNotNull();
        assertThatThrownBy(() -> codec.decode(json)).as("library").isInstanceOf(InvalidSignalException.class);
    }

    /**
     * The JSON format says a media type ending in {@code +json} is JSON, and the library writes such data as
     * a JSON value; the SDK 4.0.1 takes only {@code application/json} and {@code text/json} for JSON and
     * refuses the event. The library keeps to the spec (and reads what the SDK writes for such a type).
     */
    @Test
    void plusJsonDataIsWrittenAsJsonAsTheSpecSaysThoughTheSdkRefusesIt() {
        Signal signal = Signal.builder("a.b").source("/s").datacontenttype("application/vnd.acme+json")
                .data(Map.of("k", 1)).build();
        String json = codec.encode(signal);

        assertThat(json).contains("\"data\":{\"k\":1}");
        assertThatThrownBy(() -> SDK.deserialize(json.getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("content type is not a json");
        CloudEvent fromSdk = CloudEventBuilder.v1().withId("1").withSource(URI.create("/s")).withType("a.b")
                .withDataContentType("application/vnd.acme+json").withData("{\"k\":1}".getBytes(StandardCharsets.UTF_8))
                .build();
        assertThat(codec.decode(new String(SDK.serialize(fromSdk), StandardCharsets.UTF_8)).dataAs(Map.class))
                .isEqualTo(Map.of("k", 1));
    }

    @Test
    void anEnvelopeWithoutIdIsRejectedNotGivenAFreshId() {
        String json = "{\"specversion\":\"1.0\",\"source\":\"/s\",\"type\":\"a.b\"}";

        assertThatThrownBy(() -> codec.decode(json)).isInstanceOf(InvalidSignalException.class)
                .hasMessage("id is required");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"\",\"type\":\"a.b\"}",
            "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"a.b\",\"obj\":{\"k\":1}}"})
    void whereTheSdkIsMoreLenientThanTheSpecTheLibraryKeepsToTheSpec(String json) {
        assertDoesNotThrow(() -> SDK.deserialize(json.getBytes(StandardCharsets.UTF_8)));
        assertThatThrownBy(() -> codec.decode(json)).isInstanceOf(InvalidSignalException.class);
    }

    @Test
    void anIntegerExtensionAboveThirtyTwoBitsIsRefusedAtBuildTime() {
        assertThatThrownBy(() -> Signal.builder("a.b").source("/s").extension("big", 5_000_000_000L).build())
                .isInstanceOf(InvalidSignalException.class)
                .hasMessageContaining("extension 'big' is 5000000000").hasMessageContaining("32-bit")
                .hasMessageContaining("pass it as a String");
        Signal asText = Signal.builder("a.b").source("/s").extension("big", "5000000000").build();
        assertEqual(asText, SDK.deserialize(codec.encode(asText).getBytes(StandardCharsets.UTF_8)), "as text");
    }

    @Test
    void aLeapSecondIsRejectedNotMovedToSecondFiftyNine() {
        String json = envelope("\"time\":\"2016-12-31T23:59:60Z\"");

        assertThatThrownBy(() -> codec.decode(json)).isInstanceOf(InvalidSignalException.class)
                .hasMessageContaining("time '2016-12-31T23:59:60Z' is a leap second");
    }

    // ---- comparison

    private static String envelope(String members) {
        return "{\"specversion\":\"1.0\",\"id\":\"e-1\",\"source\":\"/s\",\"type\":\"a.b\"," + members + "}";
    }

    /** The signal and the event carry equal attributes and data, as the CloudEvents type system compares them. */
    private static void assertEqual(Signal signal, CloudEvent event, String context) {
        assertThat(event.getSpecVersion().toString()).as(context).isEqualTo(signal.specversion());
        assertThat(event.getId()).as(context).isEqualTo(signal.id());
        assertThat(event.getSource()).as(context).isEqualTo(URI.create(signal.source()));
        assertThat(event.getType()).as(context).isEqualTo(signal.type());
        assertThat(event.getSubject()).as(context).isEqualTo(signal.subject());
        assertThat(event.getTime() == null ? null : event.getTime().toInstant()).as(context).isEqualTo(signal.time());
        assertThat(event.getDataSchema() == null ? null : event.getDataSchema().toString()).as(context)
                .isEqualTo(signal.dataschema());
        if (event.getDataContentType() != null || event.getData() == null) {
            assertThat(event.getDataContentType()).as(context).isEqualTo(signal.datacontenttype());
        } else {
            // the JSON format reads an absent datacontenttype as application/json; the library says so
            assertThat(signal.datacontenttype()).as(context).isEqualTo("application/json");
        }
        Map<String, Object> extensions = new LinkedHashMap<>();
        for (String name : event.getExtensionNames()) {
            extensions.put(name, canonical(event.getExtension(name)));
        }
        Map<String, Object> expected = new LinkedHashMap<>();
        signal.extensions().forEach((name, value) -> expected.put(name, canonical(value)));
        assertThat(extensions).as(context).isEqualTo(expected);
        assertSameData(signal, event.getData() == null ? null : event.getData().toBytes(), context);
    }

    /** An extension value as the CloudEvents type system sees it: strings, 32-bit integers, booleans. */
    private static Object canonical(@Nullable Object value) {
        if (value instanceof Long l) {
            return Math.toIntExact(l);
        }
        if (value instanceof Integer || value instanceof Boolean) {
            return value;
        }
        if (value instanceof OffsetDateTime time) {
            return time.toInstant().toString();
        }
        if (value instanceof Instant instant) {
            return instant.toString();
        }
        return String.valueOf(value);
    }

    private static void assertSameData(Signal signal, byte @Nullable [] sdkData, String context) {
        Object data = signal.data();
        if (data == null) {
            assertThat(sdkData).as(context).isNull();
            return;
        }
        assertThat(sdkData).as(context).isNotNull();
        if (data instanceof byte[] bytes) {
            assertThat(sdkData).as(context).isEqualTo(bytes);
        } else if (data instanceof String text && !SignalJson.isJson(signal.datacontenttype())) {
            assertThat(new String(sdkData, StandardCharsets.UTF_8)).as(context).isEqualTo(text);
        } else {
            JsonNode ours = SignalJson.defaultMapper().readTree(signal.dataJson());
            JsonNode theirs = SignalJson.defaultMapper().readTree(sdkData);
            assertThat(theirs).as(context).isEqualTo(ours);
        }
    }

    // ---- random signals

    private static Signal randomSignal(SplittableRandom random) {
        Signal.Builder builder = Signal.builder(type(random)).source(SOURCES[random.nextInt(SOURCES.length)]);
        if (random.nextBoolean()) {
            builder.id(chars(random, ID_CHARS, 1, 40));
        }
        if (random.nextInt(10) < 7) {
            builder.time(Instant.ofEpochSecond(random.nextLong(253_402_300_800L), random.nextInt(1_000_000_000)));
        }
        if (random.nextBoolean()) {
            builder.subject(chars(random, ID_CHARS, 1, 20));
        }
        if (random.nextInt(4) == 0) {
            builder.dataschema("https://schemas.example/" + chars(random, EXTENSION_NAME_CHARS, 1, 8) + ".json");
        }
        switch (random.nextInt(6)) {
            case 0 -> { }
            case 1 -> builder.data(text(random)).datacontenttype(random.nextBoolean() ? "text/plain" : "text/csv");
            case 2 -> {
                byte[] bytes = new byte[random.nextInt(40)];
                random.nextBytes(bytes);
                builder.data(bytes);
            }
            // not a +json type: the SDK takes only application/json and text/json for JSON (see below)
            default -> builder.data(json(random, 0)).datacontenttype(random.nextBoolean() ? null : "application/json");
        }
        for (int i = random.nextInt(4); i > 0; i--) {
            String name = chars(random, EXTENSION_NAME_CHARS, 1, 64);
            builder.extension(name, switch (random.nextInt(6)) {
                case 0 -> text(random);
                case 1 -> random.nextInt();
                case 2 -> (long) random.nextInt();
                case 3 -> random.nextBoolean();
                case 4 -> URI.create("urn:x:" + chars(random, EXTENSION_NAME_CHARS, 1, 8));
                default -> Instant.ofEpochSecond(random.nextLong(4_102_444_800L), random.nextInt(1_000_000_000));
            });
        }
        return builder.build();
    }

    /** 1 to 4 segments of 1 to 8 characters, ':', '/' and '@' among them. */
    private static String type(SplittableRandom random) {
        List<String> segments = new ArrayList<>();
        for (int i = 1 + random.nextInt(4); i > 0; i--) {
            segments.add(chars(random, TYPE_CHARS, 1, 8));
        }
        return String.join(".", segments);
    }

    private static Object json(SplittableRandom random, int depth) {
        int kind = random.nextInt(depth > 2 ? 5 : 7);
        return switch (kind) {
            case 0 -> text(random);
            case 1 -> random.nextInt();
            case 2 -> random.nextLong();
            case 3 -> random.nextBoolean();
            case 4 -> random.nextInt(-1000, 1000) / 8.0;
            case 5 -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    map.put(text(random), json(random, depth + 1));
                }
                yield map;
            }
            default -> {
                List<Object> list = new ArrayList<>();
                for (int i = random.nextInt(4); i > 0; i--) {
                    list.add(json(random, depth + 1));
                }
                yield list;
            }
        };
    }

    /** Printable text of any script, quotes and backslashes among it. */
    private static String text(SplittableRandom random) {
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(12); i > 0; i--) {
            switch (random.nextInt(3)) {
                case 0 -> text.append((char) random.nextInt(0x20, 0x7F));
                case 1 -> text.append((char) random.nextInt(0xA0, 0xD800));
                default -> text.appendCodePoint(random.nextInt(0x1F300, 0x1F600));
            }
        }
        return text.toString();
    }
}
