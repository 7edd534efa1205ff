package io.signalbus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.signalbus.json.SignalJson;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

/** Converting data to the types handlers ask for: all of it, or a {@link DataConversionException}, never nulls. */
class DataConversionTest {

    record OrderCreated(@JsonProperty("order_id") String orderId) {
    }

    record Plain(String orderId, int quantity) {
    }

    record WithOptional(String orderId, @Nullable String note, Optional<String> coupon) {
    }

    private static Signal order(Object data) {
        return Signal.builder("order.created").id("s-1").source("/orders").data(data).build();
    }

    @Test
    void theReadmeRecordBindsTheReadmeData() {
        assertThat(order(Map.of("order_id", "o-1")).dataAs(OrderCreated.class)).isEqualTo(new OrderCreated("o-1"));
    }

    @Test
    void aRecordComponentAbsentFromTheDataIsADataConversionExceptionNamingSignalTypeAndProperty() {
        Signal signal = order(Map.of("order_id", "o-1"));

        assertThatThrownBy(() -> signal.dataAs(Plain.class))
                .isInstanceOf(DataConversionException.class).isInstanceOf(PermanentFailure.class)
                .hasMessageContaining("signal s-1 (type 'order.created')")
                .hasMessageContaining(Plain.class.getName())
                .hasMessageContaining("'orderId'");
    }

    @Test
    void anAbsentPrimitiveComponentIsNotReadAsZero() {
        assertThatThrownBy(() -> order(Map.of("orderId", "o-1")).dataAs(Plain.class))
                .isInstanceOf(DataConversionException.class).hasMessageContaining("'quantity'");
    }

    @Test
    void aNullableOrOptionalComponentMayBeAbsentAndAnExplicitNullIsBound() {
        assertThat(order(Map.of("orderId", "o-1")).dataAs(WithOptional.class))
                .isEqualTo(new WithOptional("o-1", null, Optional.empty()));
        Map<String, Object> explicitNull = new HashMap<>();
        explicitNull.put("order_id", null);
        assertThat(order(explicitNull).dataAs(OrderCreated.class)).isEqualTo(new OrderCreated(null));
    }

    @Test
    void aCodecOnTheApplicationsMapperConvertsWithItsNamingStrategyAndStillRefusesAbsentComponents() {
        JsonMapper snakeCase = JsonMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).build();
        JsonMapper mapper = new SignalJson(snakeCase).mapper();

        assertThat(order(Map.of("order_id", "o-1", "quantity", 2)).dataAs(Plain.class, mapper))
                .isEqualTo(new Plain("o-1", 2));
        assertThat(order(new Plain("o-1", 2)).dataJson(mapper))
                .asString(StandardCharsets.UTF_8).isEqualTo("{\"order_id\":\"o-1\",\"quantity\":2}");
        assertThatThrownBy(() -> order(Map.of("orderId", "o-1", "quantity", 2)).dataAs(Plain.class, mapper))
                .isInstanceOf(DataConversionException.class).hasMessageContaining("'order_id'");
    }

    @Test
    void unknownPropertiesFailWhenTheApplicationsMapperAsksForStrictness() {
        Signal signal = order(Map.of("order_id", "o-1", "extra", true));
        assertThat(signal.dataAs(OrderCreated.class)).isEqualTo(new OrderCreated("o-1"));

        JsonMapper strict = new SignalJson(JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build()).mapper();
        assertThatThrownBy(() -> signal.dataAs(OrderCreated.class, strict))
                .isInstanceOf(DataConversionException.class).hasMessageContaining("\"extra\"");
    }

    @Test
    void bytesWithATextContentTypeConvertToTheirText() {
        Signal latin1 = Signal.builder("a.b").source("/s").datacontenttype("text/plain; charset=ISO-8859-1")
                .data("caf\u00e9".getBytes(StandardCharsets.ISO_8859_1)).build();
        Signal csv = Signal.builder("a.b").source("/s").datacontenttype("text/csv")
                .data("a,\u00e9".getBytes(StandardCharsets.UTF_8)).build();

        assertThat(latin1.dataAs(String.class)).isEqualTo("caf\u00e9");
        assertThat(csv.dataAs(String.class)).isEqualTo("a,\u00e9");
        assertThat(csv.dataAs(byte[].class)).isEqualTo("a,\u00e9".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void bytesWithAJsonContentTypeAreParsed() {
        Signal signal = Signal.builder("a.b").source("/s").datacontenttype("application/vnd.acme+json")
                .data("{\"order_id\":\"o-1\",\"lines\":[1]}".getBytes(StandardCharsets.UTF_8)).build();

        assertThat(signal.dataAs(Map.class)).isEqualTo(Map.of("order_id", "o-1", "lines", List.of(1)));
        assertThat(signal.dataAs(OrderCreated.class)).isEqualTo(new OrderCreated("o-1"));
    }

    @Test
    void opaqueBytesDoNotPassForText() {
        Signal signal = Signal.builder("a.b").source("/s").data(new byte[] {'h', 'i'}).build(); // octet-stream

        assertThatThrownBy(() -> signal.dataAs(Map.class)).isInstanceOf(DataConversionException.class);
    }
}
