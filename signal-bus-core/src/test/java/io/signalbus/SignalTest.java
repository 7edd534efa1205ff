package io.signalbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

class SignalTest {

    record OrderCreated(String orderId, int amount, Instant placedAt) {
    }

    /** A bean that refers to itself. */
    public static final class Node {
        public Node getSelf() {
            return this;
        }
    }

    /** State without any property Jackson can see. */
    static final class Opaque {
        private final int secret = 42;
    }

    private static final Instant T = Instant.parse("2024-05-01T10:15:30.123456789Z");

    private static Signal.Builder order() {
        return Signal.builder("order.created").source("/orders");
    }

    @Test
    void builderGeneratesUuidV7IdAndLeavesOptionalAttributesUnset() {
        Signal signal = order().build();

        assertThat(UUID.fromString(signal.id()).version()).isEqualTo(7);
        assertThat(signal.type()).isEqualTo("order.created");
        assertThat(signal.source()).isEqualTo("/orders");
        assertThat(signal.specversion()).isEqualTo("1.0");
        assertThat(signal.time()).isNull();
        assertThat(signal.subject()).isNull();
        assertThat(signal.datacontenttype()).isNull();
        assertThat(signal.dataschema()).isNull();
        assertThat(signal.data()).isNull();
        assertThat(signal.extensions()).isEmpty();
    }

    @Test
    void ofSetsTypeSourceAndDataWithJsonContentType() {
        Signal signal = Signal.of("order.created", "order_service", Map.of("id", 1));

        assertThat(signal.type()).isEqualTo("order.created");
        assertThat(signal.source()).isEqualTo("order_service");
        assertThat(signal.data()).isEqualTo(Map.of("id", 1));
        assertThat(signal.datacontenttype()).isEqualTo("application/json");
    }

    @Test
    void byteArrayDataDefaultsToOctetStreamContentType() {
        assertThat(order().data(new byte[] {1, 2}).build().datacontenttype()).isEqualTo("application/octet-stream");
    }

    @Test
    void explicitContentTypeIsKept() {
        assertThat(order().data("hi").datacontenttype("text/plain").build().datacontenttype()).isEqualTo("text/plain");
    }

    @Test
    void byteArrayDataIsCopiedOnBuild() {
        byte[] bytes = {1, 2, 3};
        Signal signal = order().data(bytes).build();
        bytes[0] = 9;

        assertThat((byte[]) signal.data()).containsExactly(1, 2, 3);
    }

    @Test
    void givenIdIsKept() {
        assertThat(order().id("order-42").build().id()).isEqualTo("order-42");
    }

    @Test
    void invalidTypeIsRejectedWithTheType() {
        assertThatThrownBy(() -> Signal.of("order..created", "/orders", null))
                .isInstanceOf(InvalidSignalException.class).hasMessageContaining("'order..created'");
    }

    @Test
    void missingSourceIsRejected() {
        assertThatThrownBy(() -> Signal.builder("order.created").build())
                .isInstanceOf(InvalidSignalException.class).hasMessage("source is required");
    }

    @Test
    void blankSourceIsRejected() {
        assertThatThrownBy(() -> Signal.of("order.created", "  ", null))
                .isInstanceOf(InvalidSignalException.class).hasMessageContaining("source '  '").hasMessageContaining("blank");
    }

    @Test
    void sourceThatIsNotAUriReferenceIsRejected() {
        assertThatThrownBy(() -> Signal.of("order.created", "has space", null))
                .isInstanceOf(InvalidSignalException.class)
                .hasMessageContaining("source 'has space'").hasMessageContaining("URI-reference");
    }

    @ParameterizedTest
    @ValueSource(strings = {"order_service", "/orders", "urn:x:y", "https://a/b", "../relative?q=1#f"})
    void uriReferencesAreValidSources(String source) {
        assertThat(Signal.of("order.created", source, null).source()).isEqualTo(source);
    }

    @Test
    void emptyIdIsRejected() {
        assertThatThrownBy(() -> order().id("").build())
                .isInstanceOf(InvalidSignalException.class).hasMessage("id must not be empty");
    }

    @Test
    void idLongerThan256CharactersIsRejected() {
        assertThat(order().id("a".repeat(256)).build().id()).hasSize(256);
        assertThatThrownBy(() -> order().id("a".repeat(257)).build())
                .isInstanceOf(InvalidSignalException.class).hasMessageContaining("id 'aaaa").hasMessageContaining("257");
    }

    @ParameterizedTest
    @ValueSource(strings = {"order 1", " ", "\u00e9t\u00e9 2026"})
    void idWithSpacesIsAcceptedAsCloudEventsAllows(String id) {
        assertThat(order().id(id).build().id()).isEqualTo(id);
    }

    @Test
    void idWithControlCharacterIsRejectedAndShownEscaped() {
        assertThatThrownBy(() -> order().id("order\u000742").build())
                .isInstanceOf(InvalidSignalException.class).hasMessageContaining("id 'order\\u000742'");
    }

    @Test
    void emptySubjectIsRejected() {
        assertThatThrownBy(() -> order().subject("").build())
                .isInstanceOf(InvalidSignalException.class).hasMessageContaining("subject");
    }

    @Test
    void blankContentTypeIsRejected() {
        assertThatThrownBy(() -> order().datacontenttype(" ").build())
                .isInstanceOf(InvalidSignalException.class).hasMessageContaining("datacontenttype ' '");
    }

    @Test
    void relativeDataschemaIsRejected() {
        assertThatThrownBy(() -> order().dataschema("/schemas/order").build())
                .isInstanceOf(InvalidSignalException.class)
                .hasMessageContaining("dataschema '/schemas/order'").hasMessageContaining("absolute");
    }

    @Test
    void unparseableDataschemaIsRejected() {
        assertThatThrownBy(() -> order().dataschema("https://x/a b").build())
                .isInstanceOf(InvalidSignalException.class).hasMessageContaining("dataschema 'https://x/a b'");
    }

    @Test
    void absoluteDataschemaIsAccepted() {
        assertThat(order().dataschema("https://schemas.example/order.json").build().dataschema())
                .isEqualTo("https://schemas.example/order.json");
    }

    @Test
    void structuredDataUnderANonJsonContentTypeIsRefusedAsNoReaderWouldTakeIt() {
        assertThatThrownBy(() -> order().datacontenttype("text/plain").data(Map.of("k", 1)).build())
                .isInstanceOf(InvalidSignalException.class)
                .hasMessageContaining("datacontenttype 'text/plain', which is not JSON");
        assertThat(order().datacontenttype("text/plain").data("k=1").build().data()).isEqualTo("k=1");
        assertThat(order().datacontenttype("application/vnd.acme+json").data(Map.of("k", 1)).build().data())
                .isEqualTo(Map.of("k", 1));
    }

    @Test
    void extensionNamesLongerThanTwentyCharactersAreAcceptedAsTheSpecOnlyAdvisesAgainstThem() {
        String name = "averyveryverylongextension"; // 26: SHOULD NOT, not MUST NOT
        assertThat(order().extension(name, "x").build().extensions()).containsEntry(name, "x");
        assertThat(order().extension("a".repeat(64), 1).build().extensions()).containsKey("a".repeat(64));
    }

    @ParameterizedTest
    @ValueSource(strings = {"Tenant", "tenant_id", "tenant-id", "",
            "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklm"})
    void extensionNameOutsideCloudEventsNamingIsRejected(String name) {
        assertThatThrownBy(() -> order().extension(name, "x").build())
                .isInstanceOf(InvalidSignalException.class)
                .hasMessageContaining("extension name '" + name + "'").hasMessageContaining("a-z and 0-9");
    }

    @ParameterizedTest
    @ValueSource(strings = {"id", "source", "type", "specversion", "time", "subject", "datacontenttype",
            "dataschema", "data", "data_base64"})
    void reservedAttributeNameIsRejectedAsExtension(String name) {
        assertThatThrownBy(() -> order().extension(name, "x").build())
                .isInstanceOf(InvalidSignalException.class)
                .hasMessageContaining("extension name '" + name + "' is reserved");
    }

    @Test
    void extensionNameOfTwentyCharactersIsAccepted() {
        assertThat(order().extension("abcdefghij0123456789", "x").build().extensions()).containsKey("abcdefghij0123456789");
    }

    @Test
    void nullExtensionValueIsRejected() {
        Map<String, Object> extensions = new HashMap<>();
        extensions.put("tenant", null);

        assertThatThrownBy(() -> order().extensions(extensions).build())
                .isInstanceOf(InvalidSignalException.class).hasMessageContaining("extension 'tenant' has a null value");
    }

    @Test
    void extensionValueOfUnsupportedTypeIsRejected() {
        assertThatThrownBy(() -> order().extension("ratio", 1.5).build())
                .isInstanceOf(InvalidSignalException.class)
                .hasMessageContaining("extension 'ratio'").hasMessageContaining("java.lang.Double").hasMessageContaining("1.5");
    }

    @Test
    void extensionValuesOfEachAllowedTypeAreKeptInOrder() {
        Signal signal = order().extension("s", "acme").extension("b", true).extension("i", 7).extension("l", 7L)
                .extension("u", URI.create("https://acme")).extension("t", T).build();

        assertThat(signal.extensions()).containsExactly(Map.entry("s", "acme"), Map.entry("b", true),
                Map.entry("i", 7), Map.entry("l", 7L), Map.entry("u", URI.create("https://acme")), Map.entry("t", T));
    }

    @Test
    void extensionsAreUnmodifiable() {
        Signal signal = order().extension("tenant", "acme").build();

        assertThatThrownBy(() -> signal.extensions().put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void extensionsMapReplacesEarlierExtensions() {
        Signal signal = order().extension("old", "x").extensions(Map.of("tenant", "acme")).build();

        assertThat(signal.extensions()).containsOnlyKeys("tenant");
    }

    @Test
    void dataAsConvertsMapToRecord() {
        Signal signal = order().data(Map.of("orderId", "o-1", "amount", 5, "placedAt", T.toString(), "extra", 1)).build();

        assertThat(signal.dataAs(OrderCreated.class)).isEqualTo(new OrderCreated("o-1", 5, T));
    }

    @Test
    void dataAsConvertsRecordToMap() {
        Signal signal = order().data(new OrderCreated("o-1", 5, T)).build();

        assertThat(signal.dataAs(Map.class)).isEqualTo(Map.of("orderId", "o-1", "amount", 5, "placedAt", T.toString()));
    }

    @Test
    void dataAsReturnsDataThatAlreadyHasTheType() {
        OrderCreated data = new OrderCreated("o-1", 5, T);

        assertThat(order().data(data).build().dataAs(OrderCreated.class)).isSameAs(data);
    }

    @Test
    void dataAsOfNoDataIsNull() {
        assertThat(order().build().dataAs(OrderCreated.class)).isNull();
    }

    @Test
    void dataAsUsesTheGivenMapper() {
        JsonMapper snakeCase = JsonMapper.builder().propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();
        Signal signal = order().data(Map.of("order_id", "o-1", "amount", 5, "placed_at", T.toString())).build();

        assertThat(signal.dataAs(OrderCreated.class, snakeCase)).isEqualTo(new OrderCreated("o-1", 5, T));
    }

    @Test
    void failedConversionNamesSignalIdTypeAndTarget() {
        Signal signal = order().id("order-42").data(Map.of("amount", "lots")).build();

        assertThatThrownBy(() -> signal.dataAs(OrderCreated.class))
                .isInstanceOfSatisfying(DataConversionException.class, e -> {
                    assertThat(e.signalId()).isEqualTo("order-42");
                    assertThat(e.signalType()).isEqualTo("order.created");
                    assertThat(e.targetType()).isEqualTo(OrderCreated.class);
                })
                .hasMessageContaining("order-42").hasMessageContaining("'order.created'")
                .hasMessageContaining(OrderCreated.class.getName()).hasMessageContaining("lots");
    }

    @Test
    void withTimeReplacesOnlyTheTime() {
        Signal signal = order().subject("o-1").data(Map.of("a", 1)).extension("tenant", "acme").build();

        Signal stamped = signal.withTime(T);

        assertThat(stamped.time()).isEqualTo(T);
        assertThat(signal.time()).isNull();
        assertThat(stamped.toBuilder().time(null).build()).isEqualTo(signal);
    }

    @Test
    void toBuilderRebuildsAnEqualSignal() {
        Signal signal = order().time(T).subject("o-1").dataschema("urn:schema:order").data("x")
                .datacontenttype("text/plain").extension("tenant", "acme").build();

        assertThat(signal.toBuilder().build()).isEqualTo(signal).hasSameHashCodeAs(signal);
    }

    @Test
    void signalsWithTheSameAttributesAreEqual() {
        Signal a = order().id("a").time(T).data(Map.of("x", 1)).extension("tenant", "acme").build();
        Signal b = order().id("a").time(T).data(Map.of("x", 1)).extension("tenant", "acme").build();

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(b.toBuilder().id("b").build());
        assertThat(a).isNotEqualTo(b.toBuilder().extension("tenant", "other").build());
        assertThat(a).isNotEqualTo(b.toBuilder().data(Map.of("x", 2)).build());
    }

    @Test
    void byteArrayDataIsComparedByContent() {
        Signal a = order().id("a").data(new byte[] {1, 2}).build();
        Signal b = order().id("a").data(new byte[] {1, 2}).build();

        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    }

    @Test
    void toStringNamesIdTypeAndSourceButNotData() {
        Signal signal = order().id("order-42").data("secret-payload").build();

        assertThat(signal.toString()).contains("order-42", "order.created", "/orders").doesNotContain("secret-payload");
    }

    @Test
    void dataJsonIsTheUtf8JsonOfTheData() {
        Signal signal = order().data(new OrderCreated("ö-1", 5, T)).build();

        assertThat(new String(signal.dataJson(), StandardCharsets.UTF_8))
                .isEqualTo("{\"orderId\":\"ö-1\",\"amount\":5,\"placedAt\":\"" + T + "\"}");
    }

    @Test
    void dataJsonIsComputedOnceAndSharedWithStampedCopies() {
        Signal signal = order().data(Map.of("a", 1)).build();

        byte[] first = signal.dataJson();

        assertThat(signal.dataJson()).isSameAs(first);
        assertThat(signal.withTime(T).dataJson()).isSameAs(first);
    }

    @Test
    void dataJsonOfNoDataIsNull() {
        assertThat(order().build().dataJson()).isNull();
    }

    @Test
    void selfReferencingDataCannotBeSerialised() {
        Signal signal = order().id("order-42").data(new Node()).build();

        assertThatThrownBy(signal::dataJson)
                .isInstanceOf(SignalSerializationException.class).isInstanceOf(InvalidSignalException.class)
                .hasMessageContaining("order-42").hasMessageContaining("'order.created'")
                .hasMessageContaining("self-reference");
    }

    @Test
    void cyclicCollectionDataCannotBeSerialised() {
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        Signal signal = order().id("order-42").data(cycle).build();

        assertThatThrownBy(signal::dataJson)
                .isInstanceOf(SignalSerializationException.class).hasMessageContaining("order-42")
                .hasMessageContaining("nesting depth");
    }

    @Test
    void beanWithoutPropertiesIsRejectedRatherThanStoredAsEmptyObject() {
        Signal signal = order().id("order-42").data(new Opaque()).build();

        assertThatThrownBy(signal::dataJson)
                .isInstanceOf(SignalSerializationException.class).hasMessageContaining("order-42")
                .hasMessageContaining(Opaque.class.getName()).hasMessageContaining("no properties");
    }
}
