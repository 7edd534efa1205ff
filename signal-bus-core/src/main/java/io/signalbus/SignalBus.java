package io.signalbus;

import java.util.Collection;
import java.util.List;

/**
 * A named signal bus: a durable, append-only log of signals with transient and persistent
 * subscriptions. Persistent subscriptions get at-least-once delivery in position order, explicit
 * acknowledgement, a low-water-mark checkpoint, flow control ({@code maxInFlight}), ack timeouts,
 * retries with backoff and dead letters. Thread-safe. Build one with {@link #builder()}.
 */
public interface SignalBus extends AutoCloseable {

    /** A builder for a bus named {@code "default"} on an in-memory store unless told otherwise. */
    static SignalBusBuilder builder() {
        return new SignalBusBuilder();
    }

    /** The bus name; each bus has its own log in the store. */
    String name();

    /**
     * Appends the signals to the log, atomically: when this returns, all of them are committed with
     * strictly increasing positions, or (on an exception) none is. Signals without a time get the
     * bus clock's. Subscribers are woken after commit.
     *
     * <p>Inside the application's transaction, on a store that joins it, the signals commit or roll
     * back with that transaction instead. A store may then give them their positions only after the
     * transaction commits, so that a transaction that stays open never makes other publishers wait
     * (the JDBC store does): the returned signals then carry {@link RecordedSignal#UNASSIGNED} (0)
     * as their position, never an invented one, and their recorded time may still be raised to keep
     * log times in order. Persistent subscriptions get them in position order after the commit.
     *
     * @throws InvalidSignalException   a signal is invalid, too large (data, attributes and extensions
     *                                  together), beyond the limits the log reads back
     *                                  ({@link io.signalbus.json.SignalJson#READ_LIMITS}), of the reserved
     *                                  type {@value io.signalbus.store.UndecodableSignals#TYPE}, or its
     *                                  data cannot be serialised
     * @throws PublishRejectedException an interceptor vetoed the call
     * @throws SignalStoreException     the store failed or was unavailable; nothing was written
     * @throws PublishOutcomeUnknownException the store stopped waiting (its publish timeout, or an
     *                                  interrupt) or lost its connection after the signals may have been
     *                                  written; publishing them again with the same ids is safe
     */
    List<RecordedSignal> publish(List<Signal> signals);

    /** Same as {@link #publish(List)}. */
    default List<RecordedSignal> publish(Signal... signals) {
        return publish(List.of(signals));
    }

    /**
     * Subscribes {@code handler} to signals whose type matches {@code pattern}. A persistent
     * subscription whose id already exists with the same pattern is reconnected (it resumes from its
     * checkpoint); with another pattern it is a conflict.
     *
     * @return the subscription id: the persistent id, or a generated one for a transient subscription
     * @throws InvalidPatternException        the pattern is invalid
     * @throws SubscriptionConflictException  the persistent id is taken by another pattern
     */
    String subscribe(String pattern, SubscribeOptions options, SignalHandler handler);

    /** Subscribes transiently with default options. */
    default String subscribe(String pattern, SignalHandler handler) {
        return subscribe(pattern, SubscribeOptions.defaults(), handler);
    }

    /** Detaches the handler, flushing the checkpoint; a persistent subscription's state is kept. */
    default void unsubscribe(String subscriptionId) {
        unsubscribe(subscriptionId, false);
    }

    /**
     * Detaches the handler; with {@code deletePersistence} also deletes the stored checkpoint,
     * retry state and dead letters of a persistent subscription.
     *
     * @throws SubscriptionNotFoundException no such subscription
     */
    void unsubscribe(String subscriptionId, boolean deletePersistence);

    /**
     * Acknowledges a delivered signal. Acking a signal again is a no-op.
     *
     * @throws SubscriptionNotFoundException no such subscription
     * @throws UnknownSignalException        the signal was not delivered to this subscription
     */
    void ack(String subscriptionId, String signalId);

    /** Acknowledges several delivered signals, as {@link #ack(String, String)} each. */
    void ack(String subscriptionId, Collection<String> signalIds);

    /** Reports a failed delivery; see {@link Delivery#nack(Throwable)}. */
    void nack(String subscriptionId, String signalId, Throwable reason);

    /**
     * Attaches {@code handler} to an existing persistent subscription, returns its checkpoint, and
     * redelivers everything after the checkpoint that is not acked, as normal trackable deliveries.
     * It keeps the settings stored with the subscription, and the concurrency it was last subscribed
     * with in this process (1 if none).
     *
     * @throws SubscriptionNotFoundException no persistent subscription with this id exists
     */
    Checkpoint reconnect(String subscriptionId, SignalHandler handler);

    /**
     * Signals matching {@code pattern}, in position order, as {@code options} say. A log row the store
     * cannot decode comes back as a placeholder ({@link io.signalbus.store.UndecodableSignals}) whatever
     * the pattern, instead of failing the replay.
     */
    List<RecordedSignal> replay(String pattern, ReplayOptions options);

    /** Every subscription with its checkpoint, lag, in-flight count and dead letters. */
    BusStatus status();

    /** The dead letters of a subscription, oldest position first (at most {@code limit}). */
    List<DeadLetter> deadLetters(String subscriptionId, int limit);

    /** The first 100 dead letters of a subscription. */
    default List<DeadLetter> deadLetters(String subscriptionId) {
        return deadLetters(subscriptionId, 100);
    }

    /**
     * Puts up to {@code limit} dead letters back for delivery, ahead of new signals, with fresh
     * attempts. A redriven signal stays a dead letter until it is acked.
     *
     * @return how many were redriven
     * @throws SubscriptionNotFoundException the subscription does not exist or is not active here
     */
    int redriveDeadLetters(String subscriptionId, int limit);

    /** Deletes up to {@code limit} dead letters, oldest first; returns how many. */
    int discardDeadLetters(String subscriptionId, int limit);

    /**
     * Moves a persistent subscription's checkpoint (for operators: skip a backlog, replay history).
     * An active subscription is restarted from the new point; its in-flight deliveries are dropped.
     * Only the process that serves the subscription, or any process while none does, can move it.
     *
     * @return the new checkpoint
     * @throws InvalidOptionException         {@code to} is a position past the head + 1 or an instant in
     *                                        the future (the bus clock's): a move there would skip signals
     *                                        not yet published
     * @throws SubscriptionNotFoundException  the subscription does not exist
     * @throws SubscriptionNotActiveException another process serves the subscription: move it there
     */
    Checkpoint moveCheckpoint(String subscriptionId, StartFrom to);

    /**
     * Retention: deletes signals recorded before {@code recordedBefore} that every persistent
     * subscription of the bus has settled (at or below the lowest checkpoint), oldest first, at most
     * {@code limit}. Replay and new subscriptions from the origin then start after them.
     *
     * @return how many signals were deleted
     */
    int prune(java.time.Instant recordedBefore, int limit);

    /** Stops every subscription gracefully and flushes checkpoints. */
    @Override
    void close();
}
