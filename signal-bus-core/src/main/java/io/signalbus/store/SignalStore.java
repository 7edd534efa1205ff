package io.signalbus.store;

import io.signalbus.Checkpoint;
import io.signalbus.DeadLetter;
import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Where a bus keeps its log, its persistent subscriptions, their retry state and dead letters.
 * Several buses share one store; every method is scoped by bus name. Implementations are
 * thread-safe. Failures are reported as {@link io.signalbus.SignalStoreException}, after which the
 * call had no effect.
 *
 * <p>The log must be gap-free for readers: once {@link #read} has returned position {@code p}, no
 * signal with a position below {@code p} may become visible later (serialise appends, or hide
 * positions above the oldest append still in progress).
 */
public interface SignalStore {

    /**
     * Appends {@code signals} to the bus log atomically, assigning strictly increasing positions
     * after the current head, all with {@code recordedAt}, or with the time of the bus's last append
     * if that is later: times never decrease along a log, even when appends race for it. Either every
     * signal is committed or none.
     * A store that joins an outer transaction commits with it; it may then assign the positions
     * (and raise the times) only after that transaction commits, and return the signals with
     * position {@link RecordedSignal#UNASSIGNED}: those it hands on carry their positions.
     *
     * @return the recorded signals, in the order given
     */
    List<RecordedSignal> append(String busName, List<Signal> signals, Instant recordedAt);

    /**
     * {@link #append(String, List, Instant)}, then <em>hands on</em> the recorded signals to
     * {@code handOn} once they are committed (never if they are rolled back). A store that commits
     * appends of many threads together hands on on its committing thread in position order before
     * it returns to any of them, so subscribers see signals in order without waiting; {@code handOn}
     * must therefore be quick and must not throw. By default it runs through {@link #afterCommit}.
     */
    default List<RecordedSignal> append(String busName, List<Signal> signals, Instant recordedAt,
            Consumer<List<RecordedSignal>> handOn) {
        List<RecordedSignal> recorded = append(busName, signals, recordedAt);
        afterCommit(() -> handOn.accept(recorded));
        return recorded;
    }

    /** Runs {@code action} once the latest {@link #append} on this thread is committed (now, if it is). */
    default void afterCommit(Runnable action) {
        action.run();
    }

    /**
     * Registers {@code busName}, told the name of a bus whose log got signals that no append of this
     * store handed on (another process appended them, or they were sequenced after their publisher
     * stopped), so that subscriptions read them now rather than at their next poll. A hint: it may
     * come late, twice or never (polling remains the backstop); it must be quick and must not throw.
     * By default a store never tells.
     *
     * @return stops telling this listener
     */
    default Runnable onAppendedElsewhere(Consumer<String> busName) {
        return () -> { };
    }

    /** Up to {@code limit} signals with a position above {@code afterPosition}, in position order. */
    List<RecordedSignal> read(String busName, long afterPosition, int limit);

    /**
     * {@link #read(String, long, int)} bounded in bytes as well: the signals that fit in
     * {@code maxBytes} ({@link SignalSize#estimate}), and always the first, however large. A store that keeps
     * its log elsewhere should bound the read where it reads, as the JDBC store does, so that large
     * signals never load a whole page into memory; this default trims a page already read.
     */
    default List<RecordedSignal> read(String busName, long afterPosition, int limit, long maxBytes) {
        List<RecordedSignal> page = read(busName, afterPosition, limit);
        long bytes = 0;
        for (int i = 0; i < page.size(); i++) {
            bytes += SignalSize.estimate(page.get(i).signal());
            if (i > 0 && bytes > maxBytes) {
                return page.subList(0, i);
            }
        }
        return page;
    }

    /** The highest committed and visible position of the bus log, 0 when empty. */
    long head(String busName);

    /** The highest position recorded strictly before {@code time}, 0 if none. */
    long positionBefore(String busName, Instant time);

    /**
     * When the oldest signal of the bus was published that is committed but not readable yet (a
     * store that gives positions after commit has not given it one); empty when none waits. By
     * default, empty: the store makes signals readable when they commit.
     */
    default Optional<Instant> oldestUnsequenced(String busName) {
        return Optional.empty();
    }

    /** The signal at {@code position}, if the log has one there. */
    Optional<RecordedSignal> signalAt(String busName, long position);

    /** The position of the signal with id {@code signalId} in the bus log. */
    OptionalLong positionOf(String busName, String signalId);

    /**
     * Retention: deletes up to {@code limit} of the oldest signals of the bus log that are at or below
     * {@code throughPosition} and recorded before {@code recordedBefore}. The head does not move, and
     * positions are never reused. Dead letters keep their own copy of the signal.
     *
     * @return how many signals were deleted
     */
    int deleteBefore(String busName, long throughPosition, Instant recordedBefore, int limit);

    /** The stored persistent subscription, if any. */
    Optional<SubscriptionRecord> findSubscription(String busName, String subscriptionId);

    /** Every persistent subscription of the bus, ordered by id. */
    List<SubscriptionRecord> subscriptions(String busName);

    /**
     * Stores {@code record} unless a subscription with its id exists; returns the stored one (the
     * existing one when another caller won the race).
     */
    SubscriptionRecord createSubscription(SubscriptionRecord record);

    /** Replaces the settings (not the checkpoint) of an existing subscription. */
    void updateSettings(SubscriptionRecord record);

    /**
     * Claims a subscription for {@code owner} for {@code lease}, so that one process at a time serves
     * it: succeeds when nobody holds it, {@code owner} already does with a lease not yet ended (a
     * renewal), or the holder's lease has ended. Null when another owner holds a lease that has not
     * ended, or the subscription does not exist.
     *
     * <p>A renewal keeps the {@link Lease#epoch() epoch}; every other successful claim (the claim changes
     * hands, is taken after a release, or is taken again by its owner after its lease ended) increments
     * it, so that writes carrying an earlier epoch are refused from then on.
     *
     * <p>A store shared by several processes computes the lease's end and whether a lease has ended on
     * its own clock (the database's), never from {@code now}, so that a process whose clock runs ahead
     * cannot take a live claim; a store used by one process only may use {@code now}.
     *
     * @param now the caller's time, for a store used by one process only
     * @param lease how long the claim lasts from now on the store's clock
     * @return the lease granted, or null
     */
    @Nullable Lease claim(String busName, String subscriptionId, String owner, Instant now, Duration lease);

    /**
     * The claims on the subscriptions of a bus whose lease has not ended, by subscription id (a
     * partition's under its own): who serves what, for operators, in one read however many partitions
     * there are. A shared store decides on its own clock, as {@link #claim} does. By default, none is
     * known.
     *
     * @param now the caller's time, for a store used by one process only
     */
    default Map<String, Lease> currentClaims(String busName, Instant now) {
        return Map.of();
    }

    /**
     * A heartbeat of {@code member} among the processes serving the partitioned subscription
     * {@code subscriptionId}: it stays a member until {@code lease} from now, on the store's clock (a
     * shared store's, as for {@link #claim}). The live members divide the partitions among them.
     * By default {@code member} alone: right for a store used by one process only.
     *
     * @param now the caller's time, for a store used by one process only
     * @return the members whose heartbeat has not ended, this one included, in id order
     */
    default List<String> heartbeat(String busName, String subscriptionId, String member, Instant now,
            Duration lease) {
        return List.of(member);
    }

    /** {@code member} stops serving the partitioned subscription: its heartbeat ends now. */
    default void leave(String busName, String subscriptionId, String member) {
    }

    /** Gives up {@code owner}'s claim; a no-op when someone else holds it. */
    void release(String busName, String subscriptionId, String owner);

    /** Deletes a subscription with its retry state and dead letters; false if it did not exist. */
    boolean deleteSubscription(String busName, String subscriptionId);

    /**
     * Writes a checkpoint and forgets retry state at or below its position, in one transaction, if
     * {@code epoch} is still the subscription's (fenced: see {@link #claim}). Callers coalesce: they
     * write when a count or an interval is reached and on shutdown. Does nothing when the subscription
     * does not exist.
     *
     * @param epoch the epoch of the caller's claim
     * @throws ClaimLostException when the subscription's epoch is another: nothing was written
     */
    void saveCheckpoint(String busName, String subscriptionId, long epoch, Checkpoint checkpoint);

    /**
     * Records that the signal at {@code position} has failed {@code attempts} times so far, if
     * {@code epoch} is still the subscription's (fenced: see {@link #claim}). Does nothing when the
     * subscription does not exist.
     *
     * @param epoch the epoch of the caller's claim
     * @throws ClaimLostException when the subscription's epoch is another: nothing was written
     */
    void saveAttempts(String busName, String subscriptionId, long epoch, long position, int attempts);

    /** Recorded failed-attempt counts above {@code afterPosition}, by position. */
    Map<Long, Integer> attempts(String busName, String subscriptionId, long afterPosition);

    /**
     * Stores a dead letter, replacing one at the same subscription and position, if {@code epoch} is
     * still the subscription's (fenced: see {@link #claim}). Durable on return. Does nothing when the
     * subscription does not exist.
     *
     * @param epoch the epoch of the caller's claim
     * @throws ClaimLostException when the subscription's epoch is another: nothing was written
     */
    void addDeadLetter(String busName, long epoch, DeadLetter deadLetter);

    /** Up to {@code limit} dead letters of a subscription, by position. */
    List<DeadLetter> deadLetters(String busName, String subscriptionId, int limit);

    /** How many dead letters a subscription has. */
    long countDeadLetters(String busName, String subscriptionId);

    /** Deletes one dead letter; false if there was none. */
    boolean deleteDeadLetter(String busName, String subscriptionId, long position);
}
