package io.signalbus.spring.actuate;

import io.signalbus.BusStatus;
import io.signalbus.Checkpoint;
import io.signalbus.DeadLetter;
import io.signalbus.InvalidOptionException;
import io.signalbus.PartitionStatus;
import io.signalbus.SignalBus;
import io.signalbus.SignalBusException;
import io.signalbus.StartFrom;
import io.signalbus.SubscriptionNotFoundException;
import io.signalbus.SubscriptionState;
import io.signalbus.SubscriptionStatus;
import io.signalbus.spring.SignalBuses;
import java.time.Instant;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.OperationResponseBody;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code signalbus} endpoint: buses, subscriptions and dead letters, and the operator's actions
 * on them. Its default access is read-only, so the write operation (redrive, discard, move the
 * checkpoint) exists only with {@code management.endpoint.signalbus.access=unrestricted}.
 * <p>
 * Paths under {@code /actuator/signalbus}: {@code /{bus}}, {@code /{bus}/{subscription}},
 * {@code GET /{bus}/{subscription}/dead-letters?limit=N}, and {@code POST /{bus}/{subscription}/redrive}
 * ({@code limit}), {@code .../discard} ({@code limit}, required) and {@code .../checkpoint} ({@code to}).
 * Errors are {@link io.signalbus.SignalBusException}s; the web extension turns them into statuses.
 */
@Endpoint(id = "signalbus", defaultAccess = Access.READ_ONLY)
public class SignalBusEndpoint {

    /** The dead letters shown or redriven when no limit is given. */
    static final int DEFAULT_LIMIT = 100;

    static final String DEAD_LETTERS = "dead-letters";

    private final SignalBuses buses;

    public SignalBusEndpoint(SignalBuses buses) {
        this.buses = buses;
    }

    @ReadOperation
    public BusesDescriptor buses() {
        return new BusesDescriptor(buses.all().stream().map(bus -> describe(bus.status())).toList());
    }

    @ReadOperation
    public BusDescriptor bus(@Selector String bus) {
        return describe(buses.get(bus).status());
    }

    @ReadOperation
    public SubscriptionDescriptor subscription(@Selector String bus, @Selector String subscription) {
        return buses.get(bus).status().subscriptions().stream()
                .filter(s -> s.id().equals(subscription))
                .findFirst()
                .map(SubscriptionDescriptor::of)
                .orElseThrow(() -> new SubscriptionNotFoundException(bus, subscription));
    }

    /** {@code GET /{bus}/{subscription}/dead-letters}: the oldest dead letters first. */
    @ReadOperation
    public DeadLettersDescriptor deadLetters(@Selector String bus, @Selector String subscription,
            @Selector String resource, @Nullable Integer limit) {
        if (!DEAD_LETTERS.equals(resource)) {
            throw new UnknownEndpointPathException("no resource " + SignalBusException.quote(resource)
                    + " under subscription " + SignalBusException.quote(subscription) + "; use '" + DEAD_LETTERS + "'");
        }
        return new DeadLettersDescriptor(buses.get(bus).deadLetters(subscription,
                limit != null ? limit : DEFAULT_LIMIT).stream().map(DeadLetterDescriptor::of).toList());
    }

    /**
     * {@code POST /{bus}/{subscription}/{action}}: {@code redrive} up to {@code limit} dead letters
     * (default {@value #DEFAULT_LIMIT}), {@code discard} up to {@code limit} (required: it deletes), or
     * move the {@code checkpoint} {@code to} origin, current, a position or an ISO-8601 instant.
     */
    @WriteOperation
    public OperationResponseBody act(@Selector String bus, @Selector String subscription, @Selector String action,
            @Nullable Integer limit, @Nullable String to) {
        SignalBus signalBus = buses.get(bus);
        return switch (action) {
            case "redrive" -> new Redriven(signalBus.redriveDeadLetters(subscription,
                    limit != null ? limit : DEFAULT_LIMIT));
            case "discard" -> new Discarded(signalBus.discardDeadLetters(subscription,
                    required("limit", limit, action)));
            case "checkpoint" -> new CheckpointMoved(signalBus.moveCheckpoint(subscription,
                    StartFrom.parse(required("to", to, action))));
            default -> throw new UnknownEndpointPathException("no action " + SignalBusException.quote(action)
                    + " on subscription " + SignalBusException.quote(subscription)
                    + "; use redrive, discard or checkpoint");
        };
    }

    private static <T> T required(String parameter, @Nullable T value, String action) {
        if (value == null) {
            throw new InvalidOptionException(SignalBusException.quote(action) + " needs the parameter '" + parameter
                    + "'");
        }
        return value;
    }

    private static BusDescriptor describe(BusStatus status) {
        return new BusDescriptor(status.busName(), status.head(), status.activeSubscriptions(),
                status.subscriptions());
    }

    /*
     * Every response is an OperationResponseBody, so that Boot writes it with the endpoints' own JSON
     * mapper (camelCase, whatever naming strategy the application's mapper has).
     */

    /** Every bus. */
    public record BusesDescriptor(List<BusDescriptor> buses) implements OperationResponseBody {
    }

    /** One bus with all its subscriptions. */
    public record BusDescriptor(String name, long head, int activeSubscriptions,
            List<SubscriptionStatus> subscriptions) implements OperationResponseBody {
    }

    /** One subscription: the fields of {@link SubscriptionStatus}, with its partitions (owner, epoch, checkpoint, lag, in flight). */
    public record SubscriptionDescriptor(String id, String pattern, boolean persistent, SubscriptionState state,
            Checkpoint checkpoint, long head, long lag, int inFlight, long deadLetters, @Nullable String lastError,
            List<PartitionStatus> partitions) implements OperationResponseBody {

        static SubscriptionDescriptor of(SubscriptionStatus s) {
            return new SubscriptionDescriptor(s.id(), s.pattern(), s.persistent(), s.state(), s.checkpoint(),
                    s.head(), s.lag(), s.inFlight(), s.deadLetters(), s.lastError(), s.partitions());
        }
    }

    /** A subscription's dead letters, oldest first. */
    public record DeadLettersDescriptor(List<DeadLetterDescriptor> deadLetters) implements OperationResponseBody {
    }

    /**
     * A dead letter without the signal's data, which may hold personal data; replay the position to
     * see it.
     */
    public record DeadLetterDescriptor(long position, String signalId, String type, String source,
            @Nullable Instant time, @Nullable String subject, int attempts, String errorType,
            @Nullable String errorMessage, Instant deadLetteredAt) {

        static DeadLetterDescriptor of(DeadLetter deadLetter) {
            var signal = deadLetter.signal();
            return new DeadLetterDescriptor(deadLetter.position(), signal.id(), signal.type(), signal.source(),
                    signal.time(), signal.subject(), deadLetter.attempts(), deadLetter.errorType(),
                    deadLetter.errorMessage(), deadLetter.deadLetteredAt());
        }
    }

    /** How many dead letters were put back for delivery. */
    public record Redriven(int redriven) implements OperationResponseBody {
    }

    /** How many dead letters were deleted. */
    public record Discarded(int discarded) implements OperationResponseBody {
    }

    /** The subscription's new checkpoint. */
    public record CheckpointMoved(Checkpoint checkpoint) implements OperationResponseBody {
    }
}
