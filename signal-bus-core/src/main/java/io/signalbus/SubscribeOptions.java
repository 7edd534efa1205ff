package io.signalbus;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * How to subscribe. {@link #defaults()} is a transient (at-most-once, in-process) subscription;
 * {@link #persistent(String)} is a persistent one with a stable id, a durable checkpoint and
 * at-least-once delivery. Immutable: each setter returns a copy. Settings left unset take the bus
 * defaults ({@link SubscriptionDefaults}).
 */
public final class SubscribeOptions {

    /** Subscription ids: letters, digits and {@code _ - . : #}, 1 to 200 characters. */
    public static final Pattern ID_PATTERN = Pattern.compile("[A-Za-z0-9_.:#-]{1,200}");
    public static final int MIN_PRIORITY = -100;
    public static final int MAX_PRIORITY = 100;
    public static final int MAX_IN_FLIGHT_LIMIT = 100_000;
    public static final int MAX_ATTEMPTS_LIMIT = 1_000;
    public static final int MAX_CONCURRENCY = 64;
    /** Most partitions of one subscription: each is a stored record, a claim and a reader of the log. */
    public static final int MAX_PARTITIONS = 256;
    /**
     * Longest id of a partitioned subscription: its partitions are stored as subscriptions
     * {@code <id>/<n>}, within the 200 characters of an id column.
     */
    public static final int MAX_PARTITIONED_ID_LENGTH = 196;

    private final boolean persistent;
    private final @Nullable String subscriptionId;
    private final @Nullable Integer maxInFlight;
    private final @Nullable StartFrom startFrom;
    private final int priority;
    private final @Nullable Integer maxAttempts;
    private final @Nullable Duration ackTimeout;
    private final int concurrency;
    private final @Nullable RetryPolicy retry;
    private final int partitions;
    private final @Nullable PartitionKey partitionKey;

    private SubscribeOptions(boolean persistent, @Nullable String subscriptionId, @Nullable Integer maxInFlight,
            @Nullable StartFrom startFrom, int priority, @Nullable Integer maxAttempts, @Nullable Duration ackTimeout,
            int concurrency, @Nullable RetryPolicy retry, int partitions, @Nullable PartitionKey partitionKey) {
        this.persistent = persistent;
        this.subscriptionId = subscriptionId;
        this.maxInFlight = maxInFlight;
        this.startFrom = startFrom;
        this.priority = priority;
        this.maxAttempts = maxAttempts;
        this.ackTimeout = ackTimeout;
        this.concurrency = concurrency;
        this.retry = retry;
        this.partitions = partitions;
        this.partitionKey = partitionKey;
    }

    /** A transient subscription: in-process fan-out after commit, no ack, nothing stored. */
    public static SubscribeOptions defaults() {
        return new SubscribeOptions(false, null, null, null, 0, null, null, 1, null, 1, null);
    }

    /**
     * A persistent subscription identified by {@code subscriptionId}.
     *
     * @throws InvalidOptionException when the id does not match {@link #ID_PATTERN}
     */
    public static SubscribeOptions persistent(String subscriptionId) {
        return new SubscribeOptions(true, requireValidId(subscriptionId), null, null, 0, null, null, 1, null, 1, null);
    }

    /** Checks a subscription id against {@link #ID_PATTERN}. */
    public static String requireValidId(@Nullable String subscriptionId) {
        if (subscriptionId == null || !ID_PATTERN.matcher(subscriptionId).matches()) {
            throw new InvalidOptionException("invalid subscription id " + SignalBusException.quote(subscriptionId)
                    + ": use 1 to 200 letters, digits or _ - . : #");
        }
        return subscriptionId;
    }

    /** At most this many deliveries unacked at a time (1..{@value #MAX_IN_FLIGHT_LIMIT}). */
    public SubscribeOptions maxInFlight(int maxInFlight) {
        InvalidOptionException.requireRange("maxInFlight", maxInFlight, 1, MAX_IN_FLIGHT_LIMIT);
        return new SubscribeOptions(persistent, subscriptionId, maxInFlight, startFrom, priority, maxAttempts,
                ackTimeout, concurrency, retry, partitions, partitionKey);
    }

    /** Where a new persistent subscription starts; ignored when it already exists. */
    public SubscribeOptions startFrom(StartFrom startFrom) {
        return new SubscribeOptions(persistent, subscriptionId, maxInFlight, Objects.requireNonNull(startFrom,
                "startFrom"), priority, maxAttempts, ackTimeout, concurrency, retry, partitions, partitionKey);
    }

    /** Order among subscriptions matching one signal: higher first (-100..100, default 0). */
    public SubscribeOptions priority(int priority) {
        InvalidOptionException.requireRange("priority", priority, MIN_PRIORITY, MAX_PRIORITY);
        return new SubscribeOptions(persistent, subscriptionId, maxInFlight, startFrom, priority, maxAttempts,
                ackTimeout, concurrency, retry, partitions, partitionKey);
    }

    /** Deliveries of one signal before it becomes a dead letter (1..{@value #MAX_ATTEMPTS_LIMIT}). */
    public SubscribeOptions maxAttempts(int maxAttempts) {
        InvalidOptionException.requireRange("maxAttempts", maxAttempts, 1, MAX_ATTEMPTS_LIMIT);
        return new SubscribeOptions(persistent, subscriptionId, maxInFlight, startFrom, priority, maxAttempts,
                ackTimeout, concurrency, retry, partitions, partitionKey);
    }

    /** How long a delivery may stay unacked before it counts as failed and is redelivered. */
    public SubscribeOptions ackTimeout(Duration ackTimeout) {
        InvalidOptionException.requirePositive("ackTimeout", ackTimeout);
        return new SubscribeOptions(persistent, subscriptionId, maxInFlight, startFrom, priority, maxAttempts,
                ackTimeout, concurrency, retry, partitions, partitionKey);
    }

    /**
     * Threads that call the handler of a persistent subscription (1..{@value #MAX_CONCURRENCY},
     * default 1). Above 1, handling is concurrent and no longer strictly in position order. For a
     * {@linkplain #partitions(int) partitioned} subscription it is the number of handler calls at a
     * time in this process, shared by all the partitions this process serves (so each instance adds
     * that many), and order is kept per key.
     */
    public SubscribeOptions concurrency(int concurrency) {
        InvalidOptionException.requireRange("concurrency", concurrency, 1, MAX_CONCURRENCY);
        return new SubscribeOptions(persistent, subscriptionId, maxInFlight, startFrom, priority, maxAttempts,
                ackTimeout, concurrency, retry, partitions, partitionKey);
    }

    /**
     * The backoff between failed attempts of this subscription (default: the bus's). With
     * {@link #maxAttempts(int)} it is the subscription's failure policy.
     */
    public SubscribeOptions retry(RetryPolicy retry) {
        return new SubscribeOptions(persistent, subscriptionId, maxInFlight, startFrom, priority, maxAttempts,
                ackTimeout, concurrency, Objects.requireNonNull(retry, "retry"), partitions, partitionKey);
    }

    /**
     * Splits a persistent subscription into {@code partitions} (1..{@value #MAX_PARTITIONS}, default 1:
     * not partitioned) that application instances serve independently, each with its own claim,
     * checkpoint, attempt counts and dead letters. A signal goes to the partition of its
     * {@link #partitionKey(PartitionKey) key}; within a partition, signals of one key are handled one at a
     * time in position order, and other keys concurrently. Fixed when the subscription is created:
     * subscribing an existing subscription with another count is a {@link SubscriptionConflictException}.
     *
     * @throws InvalidOptionException when the count is out of range, the subscription is transient, or
     *     its id is longer than {@value #MAX_PARTITIONED_ID_LENGTH} characters
     */
    public SubscribeOptions partitions(int partitions) {
        InvalidOptionException.requireRange("partitions", partitions, 1, MAX_PARTITIONS);
        if (partitions > 1 && (subscriptionId == null || subscriptionId.length() > MAX_PARTITIONED_ID_LENGTH)) {
            throw new InvalidOptionException(subscriptionId == null
                    ? "partitions " + partitions + ": only a persistent subscription can be partitioned"
                    : "partitions " + partitions + ": the id of a partitioned subscription is at most "
                            + MAX_PARTITIONED_ID_LENGTH + " characters, and " + SignalBusException.quote(subscriptionId)
                            + " has " + subscriptionId.length());
        }
        return new SubscribeOptions(persistent, subscriptionId, maxInFlight, startFrom, priority, maxAttempts,
                ackTimeout, concurrency, retry, partitions, partitionKey);
    }

    /**
     * What a partitioned subscription keeps in order (default {@link PartitionKey#subject()}). Every
     * instance serving the subscription must use the same key.
     */
    public SubscribeOptions partitionKey(PartitionKey partitionKey) {
        return new SubscribeOptions(persistent, subscriptionId, maxInFlight, startFrom, priority, maxAttempts,
                ackTimeout, concurrency, retry, partitions, Objects.requireNonNull(partitionKey, "partitionKey"));
    }

    public boolean isPersistent() {
        return persistent;
    }

    public @Nullable String subscriptionId() {
        return subscriptionId;
    }

    public @Nullable Integer maxInFlight() {
        return maxInFlight;
    }

    public @Nullable StartFrom startFrom() {
        return startFrom;
    }

    public int priority() {
        return priority;
    }

    public @Nullable Integer maxAttempts() {
        return maxAttempts;
    }

    public @Nullable Duration ackTimeout() {
        return ackTimeout;
    }

    public int concurrency() {
        return concurrency;
    }

    public @Nullable RetryPolicy retry() {
        return retry;
    }

    public int partitions() {
        return partitions;
    }

    /** The key of a partitioned subscription; {@link PartitionKey#subject()} unless set. */
    public PartitionKey partitionKey() {
        return partitionKey != null ? partitionKey : PartitionKey.subject();
    }

    @Override
    public String toString() {
        return "SubscribeOptions[" + (persistent ? "persistent " + subscriptionId : "transient") + ", maxInFlight="
                + maxInFlight + ", startFrom=" + startFrom + ", priority=" + priority + ", maxAttempts=" + maxAttempts
                + ", ackTimeout=" + ackTimeout + ", concurrency=" + concurrency + ", retry=" + retry
                + (partitions > 1 ? ", partitions=" + partitions + ", partitionKey=" + partitionKey() : "") + "]";
    }
}
