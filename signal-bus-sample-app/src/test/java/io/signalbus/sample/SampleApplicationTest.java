package io.signalbus.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.client.RestTestClient;

/** Boots the sample on a random port with an in-memory H2 database and walks the guide's flow over HTTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:sample-test;DB_CLOSE_DELAY=-1",
        "signal-bus.poll-interval=50ms",
        "signal-bus.ack-timeout=1s",
        "signal-bus.retry.initial-backoff=50ms",
        "signal-bus.retry.max-backoff=200ms",
        "management.server.port=0" })
@AutoConfigureRestTestClient
class SampleApplicationTest {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Autowired
    RestTestClient http;

    @LocalManagementPort
    int managementPort;

    private Map<String, Object> stats() {
        return http.get().uri("/stats").exchange().expectStatus().isOk()
                .expectBody(new ParameterizedTypeReference<Map<String, Object>>() { }).returnResult()
                .getResponseBody();
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> orders() {
        return (Map<String, Object>) stats().get("orders");
    }

    private static Number number(Object value) {
        return (Number) value;
    }

    @Test
    void walksTheGuideOverHttp() {
        // the order processor: a valid order is processed and acked
        http.post().uri("/orders").contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("order_id", "order_123", "customer_id", "customer_456",
                        "items", List.of(Map.of("sku", "ITEM001", "quantity", 2))))
                .exchange().expectStatus().isAccepted().expectBody().jsonPath("$.position").isNumber();
        http.post().uri("/orders/order_123/status?status=processing").exchange().expectStatus().isAccepted();
        await().atMost(WAIT).until(() -> number(orders().get("ordersProcessed")).longValue() == 2);

        // an invalid order is dead-lettered at once and forwarded to the dead_letters bus
        http.post().uri("/orders").contentType(MediaType.APPLICATION_JSON).body(Map.of("order_id", "order_124"))
                .exchange().expectStatus().isAccepted();
        await().atMost(WAIT).until(() -> !((List<?>) stats().get("dead_letters_forwarded")).isEmpty());
        assertThat(number(orders().get("errors")).longValue()).isEqualTo(1);

        // the payment processor acks valid payments by id
        http.post().uri("/payments").contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("account_id", "acc-1", "amount", 42)).exchange().expectStatus().isAccepted();
        await().atMost(WAIT).until(() -> number(stats().get("payments_processed")).longValue() == 1);

        // the batch processor acks 100 at a time
        http.post().uri("/batch-items?count=200").exchange().expectStatus().isAccepted();
        await().atMost(WAIT).until(() -> number(stats().get("batches_acked")).longValue() == 2);

        // retry with backoff: fails twice, then succeeds
        http.post().uri("/events?failTimes=2").exchange().expectStatus().isAccepted();
        await().atMost(WAIT).until(() -> number(stats().get("retry_succeeded")).longValue() == 1);
        assertThat(number(stats().get("retry_failed_attempts")).longValue()).isEqualTo(2);

        // reconnect replays what was missed while disconnected
        long before = number(stats().get("resilient_processed")).longValue();
        http.post().uri("/resilient/disconnect").exchange().expectStatus().isOk();
        http.post().uri("/events").exchange().expectStatus().isAccepted();
        http.post().uri("/resilient/connect").exchange().expectStatus().isOk();
        await().atMost(WAIT).until(() -> number(stats().get("resilient_processed")).longValue() > before);

        // manual replay since a timestamp
        http.get().uri("/replay?pattern=order.**&since=2000-01-01T00:00:00Z").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.length()").isEqualTo(3);

        // operators: health with per-subscription details, the signalbus endpoint, metrics, on the
        // management port only (bound to 127.0.0.1 in application.yml), never on the public one
        http.get().uri("/actuator/health").exchange().expectStatus().isNotFound();
        http.get().uri("/actuator/signalbus").exchange().expectStatus().isNotFound();
        RestTestClient operator = RestTestClient.bindToServer().baseUrl("http://127.0.0.1:" + managementPort).build();
        operator.get().uri("/actuator/health").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.components.signalBus.status").isEqualTo("UP");
        operator.get().uri("/actuator/signalbus").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.buses").exists();
        operator.get().uri("/actuator/signalbus/default/order_processor").exchange().expectStatus().isOk()
                .expectBody().jsonPath("$.lag").isNumber();
        operator.get().uri("/actuator/signalbus/nowhere").exchange().expectStatus().isNotFound();
        String prometheus = operator.get().uri("/actuator/prometheus").exchange().expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
        assertThat(prometheus).contains("signalbus_published_total").contains("signalbus_deliveries_total")
                .contains("signalbus_lag")
                .contains("# HELP signalbus_handle_seconds Time spent in the subscription's handler")
                .contains("# HELP signalbus_publish_seconds Time a publish call takes")
                .doesNotContain("signalbus_handler_duration");

        // bad input is a 400 with the reason
        http.get().uri("/replay?pattern=a..b").exchange().expectStatus().isBadRequest()
                .expectBody().jsonPath("$.detail").value(detail -> assertThat((String) detail).contains("'a..b'"));
    }
}
