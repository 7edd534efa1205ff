package io.signalbus.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.signalbus.InvalidSignalException;
import io.signalbus.Signal;
import io.signalbus.SignalSerializationException;
import java.net.URI;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

class SignalJsonTest {

    private static final Instant T = Instant.parse("2024-05-01T10:15:30.123456789Z");
    private static final String VALID = "\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"/s\",\"type\":\"t\"";

    private final SignalJson codec = new SignalJson();

    record Amount(String currency, long cents) {
    }

    /** Counts how often Jackson reads its property. */
    public static final class Counting {
        final AtomicInteger reads = new AtomicInteger();

        public int getValue() {
            reads.incrementAndGet();
            return 1;
        }
    }

    private static Signal.Builder full() {
        return Signal.builder("order.created").id("order-42").source("https://shop.example/orders").time(T)
                .subject("o-1").dataschema("https://schemas.example/order.json")
                .data(Map.of("orderId", "o-1", "lines", List.of(1, 2), "paid", true, "note", "ö"));
    }

    private JsonNode tree(String json) {
        return SignalJson.defaultMapper().readTree(json);
    }

    @Test
    void encodesAttributesAndExtensionsAsTopLevelCloudEventsMembers() {
        Signal signal = full().extension("tenant", "acme").build();

        JsonNode json = tree(codec.encode(signal));

        assertThat(json.propertyNames()).containsExactlyInAnyOrder("specversion", "id", "source", "type", "subject",
                "time", "datacontenttype", "dataschema", "tenant", "data");
        assertThat(json.get("specversion").asString()).isEqualTo("1.0");
        assertThat(json.get("id").asString()).isEqualTo("order-42");
        assertThat(json.get("source").asString()).isEqualTo("https://shop.example/orders");
        assertThat(json.get("type").asString()).isEqualTo("order.created");
        assertThat(json.get("subject").asString()).isEqualTo("o-1");
        assertThat(json.get("time").asString()).isEqualTo("2024-05-01T10:15:30.123456789Z");
        assertThat(json.get("datacontenttype").asString()).isEqualTo("application/json");
        assertThat(json.get("dataschema").asString()).isEqualTo("https://schemas.example/order.json");
        assertThat(json.get("tenant").asString()).isEqualTo("acme");
        assertThat(json.get("data").isObject()).isTrue();
        assertThat(json.get("data").get("lines").get(1).asInt()).isEqualTo(2);
    }

    @Test
    void roundTripsEveryAttribute() {
        Signal signal = full().extension("tenant", "acme").extension("replay", false).extension("seq", 7)
                .extension("big", "5000000000").build();

        assertThat(codec.decode(codec.encode(signal))).isEqualTo(signal);
    }

    @Test
    void extensionsOfEachAllowedTypeDecodeAsTheirJsonValues() {
        Signal signal = full().extension("s", "acme").extension("b", true).extension("i", 7).extension("l", 8L)
                .extension("u", URI.create("urn:acme:eu")).extension("t", T).build();

        Signal decoded = codec.decode(codec.encode(signal));

        assertThat(decoded.extensions()).containsOnly(Map.entry("s", "acme"), Map.entry("b", true),
                Map.entry("i", 7), Map.entry("l", 8),
                Map.entry("u", "urn:acme:eu"), Map.entry("t", "2024-05-01T10:15:30.123456789Z"));
    }

    @Test
    void byteArrayDataTravelsAsDataBase64() {
        byte[] bytes = {0, 1, 2, (byte) 0xff};
        Signal signal = Signal.builder("file.uploaded").source("/files").data(bytes).build();

        String encoded = codec.encode(signal);
        Signal decoded = codec.decode(encoded);

        JsonNode json = tree(encoded);
        assertThat(json.has("data")).isFalse();
        assertThat(json.get("data_base64").asString()).isEqualTo(Base64.getEncoder().encodeToString(bytes));
        assertThat((byte[]) decoded.data()).containsExactly(bytes);
        assertThat(decoded).isEqualTo(signal);
    }

    @Test
    void stringDataWithTextContentTypeIsAJsonString() {
        Signal signal = Signal.builder("note.added").source("/notes").data("{not json}").datacontenttype("text/plain").build();

        String encoded = codec.encode(signal);

        assertThat(tree(encoded).get("data").asString()).isEqualTo("{not json}");
        assertThat(codec.decode(encoded)).isEqualTo(signal);
    }

    @Test
    void stringDataWithJsonContentTypeIsAJsonString() {
        Signal signal = Signal.of("note.added", "/notes", "hello");

        String encoded = codec.encode(signal);

        assertThat(tree(encoded).get("data").isString()).isTrue();
        assertThat(codec.decode(encoded)).isEqualTo(signal);
    }

    @Test
    void structuredSuffixContentTypeCarriesDataAsJsonValue() {
        Signal signal = full().datacontenttype("application/vnd.shop.order+json; charset=utf-8").build();

        String encoded = codec.encode(signal);

        assertThat(tree(encoded).get("data").isObject()).isTrue();
        assertThat(codec.decode(encoded)).isEqualTo(signal);
    }

    @Test
    void signalWithoutDataHasNoDataMembers() {
        Signal signal = Signal.builder("ping").source("/health").id("p-1").build();

        String encoded = codec.encode(signal);

        assertThat(tree(encoded).propertyNames()).containsExactlyInAnyOrder("specversion", "id", "source", "type");
        assertThat(codec.decode(encoded)).isEqualTo(signal);
    }

    @Test
    void recordDataDecodesAsItsJsonTree() {
        Signal signal = Signal.of("payment.received", "/payments", new Amount("EUR", 1250));

        Signal decoded = codec.decode(codec.encode(signal));

        assertThat(decoded.data()).isEqualTo(Map.of("currency", "EUR", "cents", 1250));
        assertThat(decoded.dataAs(Amount.class)).isEqualTo(new Amount("EUR", 1250));
    }

    @Test
    void encodeWritesTheSignalsCachedDataJson() {
        Counting data = new Counting();
        Signal signal = Signal.of("counted", "/c", data);

        codec.encode(signal);
        codec.encode(signal);
        signal.dataJson();

        assertThat(data.reads).hasValue(1);
    }

    @Test
    void codecWithOwnMapperSerialisesDataWithIt() {
        JsonMapper snakeCase = JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();
        record Line(String productId) {
        }
        Signal signal = Signal.of("order.line", "/orders", new Line("p-1"));

        String encoded = new SignalJson(snakeCase).encode(signal);

        assertThat(tree(encoded).get("data").get("product_id").asString()).isEqualTo("p-1");
    }

    @Test
    void unserialisableDataFailsEncodingWithSerializationException() {
        List<Object> cycle = new java.util.ArrayList<>();
        cycle.add(cycle);
        Signal signal = Signal.builder("loop").source("/l").id("loop-1").data(cycle).build();

        assertThatThrownBy(() -> codec.encode(signal))
                .isInstanceOf(SignalSerializationException.class).hasMessageContaining("loop-1");
    }

    @Test
    void timeWithOffsetDecodesToTheSameInstant() {
        Signal decoded = codec.decode("{" + VALID + ",\"time\":\"2024-05-01T12:15:30+02:00\"}");

        assertThat(decoded.time()).isEqualTo(Instant.parse("2024-05-01T10:15:30Z"));
    }

    @Test
    void nullAttributesDecodeAsAbsent() {
        Signal decoded = codec.decode("{" + VALID + ",\"subject\":null,\"data\":null}");

        assertThat(decoded.subject()).isNull();
        assertThat(decoded.data()).isNull();
    }

    @Test
    void dataWithoutContentTypeDecodesAsJson() {
        Signal decoded = codec.decode("{" + VALID + ",\"data\":{\"a\":[1,2.5,true]}}");

        assertThat(decoded.data()).isEqualTo(Map.of("a", List.of(1, 2.5, true)));
        assertThat(decoded.datacontenttype()).isEqualTo("application/json");
    }

    @Test
    void isJsonRecognisesJsonMediaTypes() {
        assertThat(SignalJson.isJson(null)).isTrue();
        assertThat(SignalJson.isJson("application/json")).isTrue();
        assertThat(SignalJson.isJson("Application/JSON; charset=utf-8")).isTrue();
        assertThat(SignalJson.isJson("application/cloudevents+json")).isTrue();
        assertThat(SignalJson.isJson("text/plain")).isFalse();
        assertThat(SignalJson.isJson("application/octet-stream")).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "truncated object           | {\"id\":                                               | malformed signal JSON",
            "not JSON                   | order created                                          | malformed signal JSON",
            "array instead of object    | []                                                     | must be an object, was an array",
            "trailing content           | {\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"/s\",\"type\":\"t\"} {} | content after the object",
            "missing specversion        | {\"id\":\"a\",\"source\":\"/s\",\"type\":\"t\"}           | specversion is required",
            "other specversion          | {\"specversion\":\"0.3\",\"id\":\"a\",\"source\":\"/s\",\"type\":\"t\"} | specversion '0.3' is not supported",
            "missing type               | {\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"/s\"}  | type is required",
            "missing source             | {\"specversion\":\"1.0\",\"id\":\"a\",\"type\":\"t\"}     | source is required",
            "numeric id                 | {\"specversion\":\"1.0\",\"id\":5,\"source\":\"/s\",\"type\":\"t\"} | attribute 'id' must be a string, was an integer",
            "bad time                   | {\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"/s\",\"type\":\"t\",\"time\":\"yesterday\"} | time 'yesterday'",
            "data and data_base64       | {\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"/s\",\"type\":\"t\",\"data\":1,\"data_base64\":\"AA==\"} | both data and data_base64",
            "data_base64 not a string   | {\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"/s\",\"type\":\"t\",\"data_base64\":[1]} | data_base64 must be a base64 string",
            "object extension           | {\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"/s\",\"type\":\"t\",\"tenant\":{}} | extension 'tenant' must be a string, an integer or a boolean, was an object",
            "decimal extension          | {\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"/s\",\"type\":\"t\",\"ratio\":1.5} | extension 'ratio' must be a string, an integer or a boolean, was a decimal number",
            "invalid extension name     | {\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"/s\",\"type\":\"t\",\"Tenant\":\"x\"} | extension name 'Tenant'",
            "invalid type               | {\"specversion\":\"1.0\",\"id\":\"a\",\"source\":\"/s\",\"type\":\"a..b\"} | 'a..b'",
    })
    void malformedInputIsRejectedNamingTheProblem(String description, String json, String expectedMessage) {
        assertThatThrownBy(() -> codec.decode(json))
                .isInstanceOf(InvalidSignalException.class).hasMessageContaining(expectedMessage);
    }

    @Test
    void nonAsciiTextIsWrittenUnescaped() {
        assertThat(codec.encode(full().build())).contains("\"note\":\"ö\"");
    }
}
