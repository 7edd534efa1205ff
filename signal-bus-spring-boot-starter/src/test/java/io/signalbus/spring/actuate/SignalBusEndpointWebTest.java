package io.signalbus.spring.actuate;

import static org.assertj.core.api.Assertions.assertThat;

import io.signalbus.SignalBus;
import io.signalbus.SubscriptionStatus;
import io.signalbus.spring.SignalBuses;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.resttestclient.autoconfigure.AutoConfigureRestTestClient;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.client.RestTestClient;

class SignalBusEndpointWebTest {

    private static final String ENDPOINT = "/actuator/signalbus";

    static SubscriptionStatus status(SignalBus bus, String id) {
        return bus.status().subscriptions().stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }

    @Nested
    @SpringBootTest(classes = EndpointTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
            "signal-bus.store=memory", "signal-bus.buses.audit.max-attempts=2",
            "management.endpoints.web.exposure.include=signalbus,health",
            "management.endpoint.health.show-details=always",
            "management.endpoint.signalbus.access=unrestricted" })
    @AutoConfigureRestTestClient
    class WithUnrestrictedAccess {

        @Autowired
        RestTestClient client;

        @Autowired
        SignalBuses buses;

        @Test
        void listsEveryBusWithItsSubscriptionsAndFigures() {
            client.get().uri(ENDPOINT).exchange().expectStatus().isOk().expectBody()
                    .jsonPath("$.buses[0].name").isEqualTo("default")
                    .jsonPath("$.buses[0].head").isEqualTo(4)
                    .jsonPath("$.buses[0].subscriptions[?(@.id == 'order_processor')].lag").isEqualTo(0)
                    .jsonPath("$.buses[0].subscriptions[?(@.id == 'order_processor')].deadLetters").isEqualTo(3)
                    .jsonPath("$.buses[1].name").isEqualTo("audit")
                    .jsonPath("$.buses[1].subscriptions").isEmpty();
        }

        @Test
        void healthIsACompositeWithOneComponentPerBus() {
            client.get().uri("/actuator/health/signalBus").exchange().expectStatus().isOk().expectBody()
                    .jsonPath("$.status").isEqualTo("UP")
                    .jsonPath("$.components.default.status").isEqualTo("UP")
                    .jsonPath("$.components.default.details.head").isEqualTo(4)
                    .jsonPath("$.components.default.details.subscriptions.order_processor.deadLetters").isEqualTo(3)
                    .jsonPath("$.components.audit.status").isEqualTo("UP");
            client.get().uri("/actuator/health/signalBus/audit").exchange().expectStatus().isOk().expectBody()
                    .jsonPath("$.status").isEqualTo("UP")
                    .jsonPath("$.details.head").isEqualTo(0);
            client.get().uri("/actuator/health/signalBus/nope").exchange().expectStatus().isNotFound();
        }

        @Test
        void showsOneBus() {
            client.get().uri(ENDPOINT + "/default").exchange().expectStatus().isOk().expectBody()
                    .jsonPath("$.name").isEqualTo("default")
                    .jsonPath("$.activeSubscriptions").isEqualTo(4);
        }

        @Test
        void showsOneSubscription() {
            client.get().uri(ENDPOINT + "/default/order_processor").exchange().expectStatus().isOk().expectBody()
                    .jsonPath("$.id").isEqualTo("order_processor")
                    .jsonPath("$.state").isEqualTo("ACTIVE")
                    .jsonPath("$.pattern").isEqualTo("order.**")
                    .jsonPath("$.checkpoint.position").isEqualTo(4)
                    .jsonPath("$.head").isEqualTo(4)
                    .jsonPath("$.lag").isEqualTo(0)
                    .jsonPath("$.inFlight").isEqualTo(0)
                    .jsonPath("$.deadLetters").isEqualTo(3)
                    .jsonPath("$.lastError").value(String.class, v -> assertThat(v).contains("cannot process"));
        }

        @Test
        void listsDeadLettersOldestFirstUpToTheLimit() {
            client.get().uri(ENDPOINT + "/default/order_processor/dead-letters?limit=2").exchange()
                    .expectStatus().isOk().expectBody()
                    .jsonPath("$.deadLetters.length()").isEqualTo(2)
                    .jsonPath("$.deadLetters[0].position").isEqualTo(2)
                    .jsonPath("$.deadLetters[0].type").isEqualTo("order.poison")
                    .jsonPath("$.deadLetters[0].attempts").isEqualTo(1)
                    .jsonPath("$.deadLetters[0].errorType").isEqualTo(IllegalStateException.class.getName())
                    .jsonPath("$.deadLetters[0].errorMessage").value(String.class, v -> assertThat(v).contains("cannot process"))
                    .jsonPath("$.deadLetters[0].data").doesNotExist()
                    .jsonPath("$.deadLetters[1].position").isEqualTo(3);
        }

        @Test
        void unknownBusIsNotFoundWithAMessage() {
            client.get().uri(ENDPOINT + "/nope").exchange().expectStatus().isNotFound().expectBody()
                    .jsonPath("$.status").isEqualTo(404)
                    .jsonPath("$.message").value(String.class, v -> assertThat(v).contains("no bus named 'nope'"));
        }

        @Test
        void unknownSubscriptionIsNotFoundWithAMessage() {
            client.get().uri(ENDPOINT + "/default/nope").exchange().expectStatus().isNotFound().expectBody()
                    .jsonPath("$.message").isEqualTo("no subscription 'nope' on bus 'default'");
            client.get().uri(ENDPOINT + "/default/billing.v1:eu").exchange().expectStatus().isNotFound().expectBody()
                    .jsonPath("$.message").isEqualTo("no subscription 'billing.v1:eu' on bus 'default'");
            client.get().uri(ENDPOINT + "/default/nope/dead-letters").exchange().expectStatus().isNotFound();
            client.post().uri(ENDPOINT + "/default/nope/redrive").contentType(MediaType.APPLICATION_JSON)
                    .body(Map.of()).exchange().expectStatus().isNotFound();
        }

        @Test
        void unknownResourceOrActionIsNotFound() {
            client.get().uri(ENDPOINT + "/default/order_processor/parked").exchange().expectStatus().isNotFound()
                    .expectBody().jsonPath("$.message").value(String.class, v -> assertThat(v).contains("use 'dead-letters'"));
            client.post().uri(ENDPOINT + "/default/order_processor/replay").contentType(MediaType.APPLICATION_JSON)
                    .body(Map.of()).exchange().expectStatus().isNotFound()
                    .expectBody().jsonPath("$.message").value(String.class, v -> assertThat(v).contains("redrive, discard or checkpoint"));
        }

        @Test
        void aLimitOutOfRangeIsABadRequest() {
            client.get().uri(ENDPOINT + "/default/order_processor/dead-letters?limit=0").exchange()
                    .expectStatus().isBadRequest().expectBody()
                    .jsonPath("$.message").value(String.class, v -> assertThat(v).contains("limit"));
        }

        @Test
        void everyErrorHasOneShape() {
            assertErrorShape(client.get().uri(ENDPOINT + "/default/order_processor/dead-letters?limit=many"), 400,
                    "Bad Request", "limit must be a whole number, was 'many'");
            assertErrorShape(client.get().uri(ENDPOINT + "/nope"), 404, "Not Found", "no bus named 'nope'");
            buses.get("default").subscribe("order.**", io.signalbus.SubscribeOptions.persistent("gone"), d -> d.ack());
            buses.get("default").unsubscribe("gone");
            assertErrorShape(client.post().uri(ENDPOINT + "/default/gone/redrive").contentType(MediaType.APPLICATION_JSON)
                    .body(Map.of()), 409, "Conflict", "reconnect it here before");
        }

        @Test
        void redrivesDeadLetters() {
            client.post().uri(ENDPOINT + "/default/redrive_me/redrive").contentType(MediaType.APPLICATION_JSON)
                    .body(Map.of("limit", 2)).exchange().expectStatus().isOk().expectBody()
                    .jsonPath("$.redriven").isEqualTo(2);
        }

        @Test
        void discardsDeadLettersOnlyWithAnExplicitLimit() {
            client.post().uri(ENDPOINT + "/default/discard_me/discard").contentType(MediaType.APPLICATION_JSON)
                    .body(Map.of()).exchange().expectStatus().isBadRequest().expectBody()
                    .jsonPath("$.message").value(String.class, v -> assertThat(v).contains("'discard' needs the parameter 'limit'"));

            client.post().uri(ENDPOINT + "/default/discard_me/discard").contentType(MediaType.APPLICATION_JSON)
                    .body(Map.of("limit", 2)).exchange().expectStatus().isOk().expectBody()
                    .jsonPath("$.discarded").isEqualTo(2);
            assertThat(status(buses.get("default"), "discard_me").deadLetters()).isEqualTo(1);
        }

        @Test
        void movesTheCheckpointToAPositionAnInstantOrTheOrigin() {
            client.post().uri(ENDPOINT + "/default/move_me/checkpoint").contentType(MediaType.APPLICATION_JSON)
                    .body(Map.of("to", "current")).exchange().expectStatus().isOk().expectBody()
                    .jsonPath("$.checkpoint.position").isEqualTo(4);
            client.post().uri(ENDPOINT + "/default/move_me/checkpoint").contentType(MediaType.APPLICATION_JSON)
                    .body(Map.of("to", "3")).exchange().expectStatus().isOk().expectBody()
                    .jsonPath("$.checkpoint.position").isEqualTo(2);
            client.post().uri(ENDPOINT + "/default/move_me/checkpoint").contentType(MediaType.APPLICATION_JSON)
                    .body(Map.of("to", "2000-01-01T00:00:00Z")).exchange().expectStatus().isOk().expectBody()
                    .jsonPath("$.checkpoint.position").isEqualTo(0);
        }

        @Test
        void aCheckpointMovePastTheHeadOrIntoTheFutureIsABadRequest() {
            client.post().uri(ENDPOINT + "/default/move_me/checkpoint").contentType(MediaType.APPLICATION_JSON)
                    .body(Map.of("to", "6")).exchange().expectStatus().isBadRequest().expectBody()
                    .jsonPath("$.message").value(String.class, v -> assertThat(v).contains("position 6", "head is 4"));
            client.post().uri(ENDPOINT + "/default/move_me/checkpoint").contentType(MediaType.APPLICATION_JSON)
                    .body(Map.of("to", "2999-01-01T00:00:00Z")).exchange().expectStatus().isBadRequest().expectBody()
                    .jsonPath("$.message").value(String.class,
                            v -> assertThat(v).contains("2999-01-01T00:00:00Z", "in the future", "head 4"));
        }

        @Test
        void anInvalidCheckpointTargetIsABadRequestWithAMessage() {
            client.post().uri(ENDPOINT + "/default/move_me/checkpoint").contentType(MediaType.APPLICATION_JSON)
                    .body(Map.of("to", "yesterday")).exchange().expectStatus().isBadRequest().expectBody()
                    .jsonPath("$.message").value(String.class, v -> assertThat(v).contains("invalid start-from 'yesterday'"));
            client.post().uri(ENDPOINT + "/default/move_me/checkpoint").contentType(MediaType.APPLICATION_JSON)
                    .body(Map.of("to", "0")).exchange().expectStatus().isBadRequest().expectBody()
                    .jsonPath("$.message").value(String.class, v -> assertThat(v).contains("must be >= 1"));
            client.post().uri(ENDPOINT + "/default/move_me/checkpoint").contentType(MediaType.APPLICATION_JSON)
                    .body(Map.of()).exchange().expectStatus().isBadRequest();
        }
    }

    /** Asserts the body is exactly {@code status}, {@code error} and a {@code message} that contains the text. */
    static void assertErrorShape(RestTestClient.RequestHeadersSpec<?> request, int status, String error, String message) {
        request.exchange().expectStatus().isEqualTo(status).expectBody()
                .jsonPath("$.length()").isEqualTo(3)
                .jsonPath("$.status").isEqualTo(status)
                .jsonPath("$.error").isEqualTo(error)
                .jsonPath("$.message").value(String.class, v -> assertThat(v).contains(message));
    }

    /** The endpoint writes with Boot's endpoint mapper: camelCase even when the application's mapper is not. */
    @Nested
    @SpringBootTest(classes = EndpointTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
            "signal-bus.store=memory", "spring.jackson.property-naming-strategy=SNAKE_CASE",
            "management.endpoints.web.exposure.include=signalbus",
            "management.endpoint.signalbus.access=unrestricted" })
    @AutoConfigureRestTestClient
    class WithSnakeCaseApplicationJson {

        @Autowired
        RestTestClient client;

        @Test
        void responsesAndErrorsAreCamelCase() {
            client.get().uri(ENDPOINT).exchange().expectStatus().isOk().expectBody()
                    .jsonPath("$.buses[0].activeSubscriptions").isEqualTo(4)
                    .jsonPath("$.buses[0].subscriptions[0].deadLetters").isEqualTo(3)
                    .jsonPath("$.buses[0].active_subscriptions").doesNotExist();
            client.get().uri(ENDPOINT + "/default").exchange().expectStatus().isOk().expectBody()
                    .jsonPath("$.activeSubscriptions").isEqualTo(4);
            client.get().uri(ENDPOINT + "/default/order_processor").exchange().expectStatus().isOk().expectBody()
                    .jsonPath("$.inFlight").isEqualTo(0)
                    .jsonPath("$.lastError").exists()
                    .jsonPath("$.in_flight").doesNotExist();
            client.get().uri(ENDPOINT + "/default/order_processor/dead-letters?limit=1").exchange().expectStatus().isOk()
                    .expectBody().jsonPath("$.deadLetters[0].signalId").exists()
                    .jsonPath("$.deadLetters[0].deadLetteredAt").exists();
            client.post().uri(ENDPOINT + "/default/redrive_me/redrive").contentType(MediaType.APPLICATION_JSON)
                    .body(Map.of("limit", 1)).exchange().expectStatus().isOk().expectBody()
                    .jsonPath("$.redriven").isEqualTo(1);
            assertErrorShape(client.get().uri(ENDPOINT + "/default/nope"), 404, "Not Found", "no subscription 'nope'");
            assertErrorShape(client.get().uri(ENDPOINT + "/default/order_processor/dead-letters?limit=0"), 400,
                    "Bad Request", "limit");
        }
    }

    @Nested
    @SpringBootTest(classes = EndpointTestApplication.class, webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
            "signal-bus.store=memory", "management.endpoints.web.exposure.include=signalbus" })
    @AutoConfigureRestTestClient
    class WithDefaultAccess {

        @Autowired
        RestTestClient client;

        @Autowired
        SignalBuses buses;

        @Test
        void readOperationsWork() {
            client.get().uri(ENDPOINT + "/default/order_processor").exchange().expectStatus().isOk();
            client.get().uri(ENDPOINT + "/default/order_processor/dead-letters").exchange().expectStatus().isOk()
                    .expectBody().jsonPath("$.deadLetters.length()").isEqualTo(3);
        }

        @Test
        void writeOperationsAreNotMappedUnlessAccessIsUnrestricted() {
            client.post().uri(ENDPOINT + "/default/order_processor/discard").contentType(MediaType.APPLICATION_JSON)
                    .body(Map.of("limit", 10)).exchange().expectStatus().isEqualTo(HttpStatus.METHOD_NOT_ALLOWED);
            client.post().uri(ENDPOINT + "/default/order_processor/checkpoint").contentType(MediaType.APPLICATION_JSON)
                    .body(Map.of("to", "current")).exchange().expectStatus().isEqualTo(HttpStatus.METHOD_NOT_ALLOWED);

            assertThat(status(buses.get("default"), "order_processor").deadLetters()).isEqualTo(3);
        }
    }
}
