package io.signalbus.spring.actuate;

import io.signalbus.BusClosedException;
import io.signalbus.InvalidOptionException;
import io.signalbus.SignalBusException;
import io.signalbus.SignalStoreException;
import io.signalbus.SubscriptionNotActiveException;
import io.signalbus.SubscriptionNotFoundException;
import io.signalbus.spring.UnknownBusException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * The {@code signalbus} endpoint over HTTP: the same operations, with errors as statuses and one
 * JSON body, {@link ErrorDescriptor}, that says what was wrong. An unknown bus, subscription or path
 * segment is 404; an invalid limit (not a number included), position or instant is 400; redriving a
 * subscription not connected here is 409; a store that cannot be reached is 503.
 */
@EndpointWebExtension(endpoint = SignalBusEndpoint.class)
public class SignalBusEndpointWebExtension {

    private static final int STATUS_CONFLICT = 409;

    private final SignalBusEndpoint endpoint;

    public SignalBusEndpointWebExtension(SignalBusEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    @ReadOperation
    public WebEndpointResponse<Object> buses() {
        return respond(endpoint::buses);
    }

    @ReadOperation
    public WebEndpointResponse<Object> bus(@Selector String bus) {
        return respond(() -> endpoint.bus(bus));
    }

    @ReadOperation
    public WebEndpointResponse<Object> subscription(@Selector String bus, @Selector String subscription) {
        return respond(() -> endpoint.subscription(bus, subscription));
    }

    /** {@code limit} is taken as text, so that a value that is no number gets this endpoint's 400, not Boot's. */
    @ReadOperation
    public WebEndpointResponse<Object> deadLetters(@Selector String bus, @Selector String subscription,
            @Selector String resource, @Nullable String limit) {
        return respond(() -> endpoint.deadLetters(bus, subscription, resource, number(limit)));
    }

    /** {@code limit} is taken as text, so that a value that is no number gets this endpoint's 400, not Boot's. */
    @WriteOperation
    public WebEndpointResponse<Object> act(@Selector String bus, @Selector String subscription,
            @Selector String action, @Nullable String limit, @Nullable String to) {
        return respond(() -> endpoint.act(bus, subscription, action, number(limit), to));
    }

    private static @Nullable Integer number(@Nullable String limit) {
        if (limit == null) {
            return null;
        }
        try {
            return Integer.valueOf(limit.trim());
        } catch (NumberFormatException e) {
            throw new InvalidOptionException("limit must be a whole number, was " + SignalBusException.quote(limit));
        }
    }

    private static WebEndpointResponse<Object> respond(Supplier<? extends OperationResponseBody> operation) {
        try {
            return new WebEndpointResponse<>(operation.get());
        } catch (UnknownBusException | SubscriptionNotFoundException | UnknownEndpointPathException e) {
            return error(WebEndpointResponse.STATUS_NOT_FOUND, "Not Found", e);
        } catch (InvalidOptionException e) {
            return error(WebEndpointResponse.STATUS_BAD_REQUEST, "Bad Request", e);
        } catch (SubscriptionNotActiveException e) {
            return error(STATUS_CONFLICT, "Conflict", e);
        } catch (SignalStoreException | BusClosedException e) {
            return error(WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE, "Service Unavailable", e);
        }
    }

    private static WebEndpointResponse<Object> error(int status, String error, Exception e) {
        return new WebEndpointResponse<>(new ErrorDescriptor(status, error, String.valueOf(e.getMessage())), status);
    }

    /** The body of every error response (400, 404, 409, 503), written with the endpoints' JSON mapper. */
    public record ErrorDescriptor(int status, String error, String message) implements OperationResponseBody {
    }
}
