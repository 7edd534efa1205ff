package io.signalbus.internal;

import io.signalbus.DeadLetter;
import io.signalbus.Signal;
import io.signalbus.SignalHandler;
import io.signalbus.router.SignalPattern;
import io.signalbus.store.SubscriptionRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The workers serving one persistent subscription in this process: one, or one per partition of a
 * partitioned subscription (each with its own claim, checkpoint and retry state). What the bus asks of
 * "the subscription" (ack by id, reconnect, redrive, status) it asks here, and this asks the partitions.
 */
final class SubscriptionWorkers {

    final String id;
    final SignalPattern pattern;
    private final List<PersistentSubscriptionWorker> workers;
    /** Which partition takes a signal; null when the subscription is not partitioned. */
    private final @Nullable List<PartitionFilter> partitions;

    /** Whom the partitions are assigned to; null when the subscription is not partitioned. */
    private final @Nullable Membership membership;

    SubscriptionWorkers(String id, SignalPattern pattern, List<PersistentSubscriptionWorker> workers,
            @Nullable List<PartitionFilter> partitions, @Nullable Membership membership) {
        this.id = id;
        this.membership = membership;
        this.pattern = pattern;
        this.workers = List.copyOf(workers);
        this.partitions = partitions == null ? null : List.copyOf(partitions);
    }

    /**
     * The workers of {@code record}, not started: one, or one per partition (reading the partitions'
     * records, creating those missing).
     */
    static SubscriptionWorkers of(WorkerContext context, SubscriptionRecord record, SubscriptionSettings settings,
            SignalHandler handler, LongSupplier sequence) {
        String id = record.subscriptionId();
        SignalPattern pattern = SignalPattern.compile(record.pattern());
        if (record.partitions() == 1) {
            return new SubscriptionWorkers(id, pattern, List.of(new PersistentSubscriptionWorker(context, record, id,
                    null, () -> true, settings, handler, HandlerPermits.NONE, sequence.getAsLong())), null, null);
        }
        var membership = new Membership(context, id, record.partitions());
        var permits = new HandlerPermits(settings.concurrency()); // per instance, shared by its partitions
        var workers = new ArrayList<PersistentSubscriptionWorker>(record.partitions());
        var filters = new ArrayList<PartitionFilter>(record.partitions());
        for (SubscriptionRecord partition : SubscriptionRecords.partitions(context.store(), record)) {
            int index = filters.size();
            var filter = new PartitionFilter(settings.partitionKey(), record.partitions(), index);
            filters.add(filter);
            workers.add(new PersistentSubscriptionWorker(context, partition, id, filter,
                    () -> membership.assigned(index), settings, handler, permits, sequence.getAsLong()));
        }
        return new SubscriptionWorkers(id, pattern, workers, filters, membership);
    }

    List<PersistentSubscriptionWorker> workers() {
        return workers;
    }

    void start() {
        workers.forEach(PersistentSubscriptionWorker::start);
    }

    /** Acks a signal by id in whichever partition holds it; false when none does. */
    boolean ack(String signalId) {
        for (PersistentSubscriptionWorker worker : workers) {
            if (worker.ack(signalId)) {
                return true;
            }
        }
        return false;
    }

    /** Nacks the current attempt of a signal by id; false when no partition holds it. */
    boolean nack(String signalId, Throwable reason) {
        for (PersistentSubscriptionWorker worker : workers) {
            if (worker.nack(signalId, reason)) {
                return true;
            }
        }
        return false;
    }

    boolean isPending(String signalId) {
        return workers.stream().anyMatch(w -> w.isPending(signalId));
    }

    /** Whether the signal at {@code position} is settled in the partition it belongs to. */
    boolean isSettled(long position, @Nullable Signal signal) {
        if (partitions == null || signal == null) {
            return workers.stream().allMatch(w -> w.isSettled(position));
        }
        for (int i = 0; i < partitions.size(); i++) {
            if (partitions.get(i).keyIfOwned(signal) != null) {
                return workers.get(i).isSettled(position);
            }
        }
        return true; // no partition takes it: cannot happen, the partitions cover every key
    }

    /** Attaches a new handler to every partition. */
    void reconnect(SignalHandler handler) {
        workers.forEach(w -> w.reconnect(handler));
    }

    /**
     * Redrives dead letters in the partitions this process serves (a dead letter names its partition);
     * -1 when it serves none, so the subscription is not active here.
     */
    int redrive(List<DeadLetter> deadLetters) {
        Map<String, List<DeadLetter>> byPartition = deadLetters.stream()
                .collect(Collectors.groupingBy(DeadLetter::subscriptionId));
        int count = 0;
        boolean active = false;
        for (PersistentSubscriptionWorker worker : workers) {
            if (worker.isClaimed()) {
                active = true;
                count += worker.redrive(byPartition.getOrDefault(worker.id, List.of()));
            }
        }
        return active ? count : -1;
    }

    boolean isClaimed() {
        return workers.stream().anyMatch(PersistentSubscriptionWorker::isClaimed);
    }

    SignalHandler handler() {
        return workers.get(0).handler();
    }

    /** Asks every partition to stop after its current delivery. */
    void signalStop() {
        workers.forEach(PersistentSubscriptionWorker::signalStop);
    }

    /** Stops every partition, within {@code timeout} in all (each flushes its checkpoint if asked). */
    void awaitStop(Duration timeout, boolean flush) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (PersistentSubscriptionWorker worker : workers) {
            worker.awaitStop(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())), flush);
        }
        if (membership != null) {
            membership.leave(); // after the claims are released: the others can take the partitions at once
        }
    }

    /** Every worker of these subscriptions, in one list. */
    static List<PersistentSubscriptionWorker> all(Iterable<SubscriptionWorkers> subscriptions) {
        var all = new ArrayList<PersistentSubscriptionWorker>();
        subscriptions.forEach(s -> all.addAll(s.workers));
        return all;
    }
}
