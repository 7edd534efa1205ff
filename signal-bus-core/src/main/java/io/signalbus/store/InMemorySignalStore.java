package io.signalbus.store;

import io.signalbus.Checkpoint;
import io.signalbus.DeadLetter;
import io.signalbus.InvalidSignalException;
import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A store that keeps everything in memory: for tests, development and the benchmark ceiling. It
 * loses everything when the JVM exits and keeps the whole log (no retention).
 */
public final class InMemorySignalStore implements SignalStore {

    private final Map<String, BusData> buses = new ConcurrentHashMap<>();

    private BusData bus(String busName) {
        return buses.computeIfAbsent(busName, n -> new BusData());
    }

    @Override
    public List<RecordedSignal> append(String busName, List<Signal> signals, Instant recordedAt) {
        BusData bus = bus(busName);
        bus.lock.writeLock().lock();
        try {
            var batchIds = signals.size() > 1 ? new HashSet<String>() : null;
            for (Signal signal : signals) {
                Long existing = bus.positionsById.positionOf(signal.id());
                if (existing != null || (batchIds != null && !batchIds.add(signal.id()))) {
                    throw duplicateId(busName, signal.id(), existing);
                }
            }
            if (bus.lastRecordedAt == null || recordedAt.isAfter(bus.lastRecordedAt)) {
                bus.lastRecordedAt = recordedAt;
            }
            var recorded = new ArrayList<RecordedSignal>(signals.size());
            for (Signal signal : signals) {
                var entry = new RecordedSignal(bus.head() + 1, signal, bus.lastRecordedAt);
                bus.log.add(entry);
                bus.positionsById.add(signal.id(), entry.position());
                recorded.add(entry);
            }
            return recorded;
        } finally {
            bus.lock.writeLock().unlock();
        }
    }

    static InvalidSignalException duplicateId(String busName, String signalId, @Nullable Long position) {
        return new InvalidSignalException("signal id '" + signalId + "' is already in the log of bus '" + busName
                + "'" + (position != null ? " at position " + position : " (twice in one publish)"));
    }

    /** Runs {@code query} on the bus's log under its read lock. */
    private <T> T reading(String busName, Function<BusData, T> query) {
        BusData bus = bus(busName);
        bus.lock.readLock().lock();
        try {
            return query.apply(bus);
        } finally {
            bus.lock.readLock().unlock();
        }
    }

    @Override
    public List<RecordedSignal> read(String busName, long afterPosition, int limit) {
        return reading(busName, bus -> {
            int from = (int) Math.min(Math.max(afterPosition - bus.pruned, 0), bus.log.size());
            int to = (int) Math.min((long) from + limit, bus.log.size());
            return List.copyOf(bus.log.subList(from, to));
        });
    }

    @Override
    public long head(String busName) {
        return reading(busName, BusData::head);
    }

    @Override
    public long positionBefore(String busName, Instant time) {
        return reading(busName, bus -> {
            // recordedAt never decreases along the log (append clamps it), so binary search holds
            int low = 0;
            int high = bus.log.size();
            while (low < high) {
                int mid = (low + high) >>> 1;
                if (bus.log.get(mid).recordedAt().isBefore(time)) {
                    low = mid + 1;
                } else {
                    high = mid;
                }
            }
            return bus.pruned + low;
        });
    }

    @Override
    public Optional<RecordedSignal> signalAt(String busName, long position) {
        return reading(busName, bus -> position > bus.pruned && position <= bus.head()
                ? Optional.of(bus.log.get((int) (position - 1 - bus.pruned))) : Optional.empty());
    }

    @Override
    public OptionalLong positionOf(String busName, String signalId) {
        return reading(busName, bus -> {
            Long position = bus.positionsById.positionOf(signalId);
            return position == null ? OptionalLong.empty() : OptionalLong.of(position);
        });
    }

    @Override
    public int deleteBefore(String busName, long throughPosition, Instant recordedBefore, int limit) {
        BusData bus = bus(busName);
        bus.lock.writeLock().lock();
        try {
            int count = 0;
            while (count < limit && count < bus.log.size() && bus.log.get(count).position() <= throughPosition
                    && bus.log.get(count).recordedAt().isBefore(recordedBefore)) {
                count++;
            }
            List<RecordedSignal> removed = bus.log.subList(0, count);
            removed.forEach(r -> bus.positionsById.removeOldest(r.signal().id(), r.position()));
            removed.clear();
            bus.pruned += count;
            return count;
        } finally {
            bus.lock.writeLock().unlock();
        }
    }

    @Override
    public synchronized Optional<SubscriptionRecord> findSubscription(String busName, String subscriptionId) {
        SubscriptionData data = bus(busName).subscriptions.get(subscriptionId);
        return data == null ? Optional.empty() : Optional.of(data.record);
    }

    @Override
    public synchronized List<SubscriptionRecord> subscriptions(String busName) {
        return bus(busName).subscriptions.values().stream().map(d -> d.record).toList();
    }

    @Override
    public synchronized SubscriptionRecord createSubscription(SubscriptionRecord record) {
        return bus(record.busName()).subscriptions
                .computeIfAbsent(record.subscriptionId(), id -> new SubscriptionData(record)).record;
    }

    @Override
    public synchronized void updateSettings(SubscriptionRecord record) {
        SubscriptionData data = bus(record.busName()).subscriptions.get(record.subscriptionId());
        if (data != null) {
            data.record = record.withCheckpoint(data.record.checkpoint());
        }
    }

    /** {@inheritDoc} One process uses this store: lease ends are on {@code now}, the bus clock. */
    @Override
    public synchronized @Nullable Lease claim(String busName, String subscriptionId, String owner, Instant now,
            Duration lease) {
        SubscriptionData data = bus(busName).subscriptions.get(subscriptionId);
        if (data == null) {
            return null;
        }
        boolean live = data.owner != null && Objects.requireNonNull(data.leaseUntil, "leaseUntil").isAfter(now);
        if (live && !owner.equals(data.owner)) {
            return null;
        }
        if (!live) {
            data.epoch++;
        }
        data.owner = owner;
        data.leaseUntil = now.plus(lease);
        return new Lease(owner, data.epoch, data.leaseUntil);
    }

    @Override
    public synchronized Map<String, Lease> currentClaims(String busName, Instant now) {
        var claims = new HashMap<String, Lease>();
        bus(busName).subscriptions.forEach((id, data) -> {
            if (data.owner != null && Objects.requireNonNull(data.leaseUntil, "leaseUntil").isAfter(now)) {
                claims.put(id, new Lease(data.owner, data.epoch, data.leaseUntil));
            }
        });
        return claims;
    }

    /** {@inheritDoc} Heartbeats end on {@code now}, the bus clock, as leases do. */
    @Override
    public synchronized List<String> heartbeat(String busName, String subscriptionId, String member, Instant now,
            Duration lease) {
        Map<String, Instant> members = bus(busName).members.computeIfAbsent(subscriptionId, id -> new TreeMap<>());
        members.values().removeIf(until -> !until.isAfter(now));
        members.put(member, now.plus(lease));
        return List.copyOf(members.keySet());
    }

    @Override
    public synchronized void leave(String busName, String subscriptionId, String member) {
        Map<String, Instant> members = bus(busName).members.get(subscriptionId);
        if (members != null) {
            members.remove(member);
        }
    }

    @Override
    public synchronized void release(String busName, String subscriptionId, String owner) {
        SubscriptionData data = bus(busName).subscriptions.get(subscriptionId);
        if (data != null && owner.equals(data.owner)) {
            data.owner = null;
            data.leaseUntil = null;
        }
    }

    @Override
    public synchronized boolean deleteSubscription(String busName, String subscriptionId) {
        return bus(busName).subscriptions.remove(subscriptionId) != null;
    }

    @Override
    public synchronized void saveCheckpoint(String busName, String subscriptionId, long epoch,
            Checkpoint checkpoint) {
        SubscriptionData data = fenced(busName, subscriptionId, epoch, "checkpoint " + checkpoint.position());
        if (data != null) {
            data.record = data.record.withCheckpoint(checkpoint);
            data.attempts.headMap(checkpoint.position(), true).clear();
        }
    }

    @Override
    public synchronized void saveAttempts(String busName, String subscriptionId, long epoch, long position,
            int attempts) {
        SubscriptionData data = fenced(busName, subscriptionId, epoch, "the attempts at position " + position);
        if (data != null) {
            data.attempts.put(position, attempts);
        }
    }

    /** The subscription if {@code epoch} is its epoch, null if it does not exist; throws if the epoch is stale. */
    private @Nullable SubscriptionData fenced(String busName, String subscriptionId, long epoch, String what) {
        SubscriptionData data = bus(busName).subscriptions.get(subscriptionId);
        if (data != null && data.epoch != epoch) {
            throw claimLost(busName, subscriptionId, epoch, what);
        }
        return data;
    }

    private static ClaimLostException claimLost(String busName, String subscriptionId, long epoch, String what) {
        return new ClaimLostException("bus '" + busName + "': refused to write " + what + " of subscription '"
                + subscriptionId + "' with epoch " + epoch + ": the claim has been taken since", epoch);
    }

    @Override
    public synchronized Map<Long, Integer> attempts(String busName, String subscriptionId, long afterPosition) {
        SubscriptionData data = bus(busName).subscriptions.get(subscriptionId);
        return data == null ? Map.of() : new HashMap<>(data.attempts.tailMap(afterPosition, false));
    }

    @Override
    public synchronized void addDeadLetter(String busName, long epoch, DeadLetter deadLetter) {
        SubscriptionData data = fenced(busName, deadLetter.subscriptionId(), epoch,
                "the dead letter at position " + deadLetter.position());
        if (data != null) {
            data.deadLetters.put(deadLetter.position(), deadLetter);
        }
    }

    @Override
    public synchronized List<DeadLetter> deadLetters(String busName, String subscriptionId, int limit) {
        SubscriptionData data = bus(busName).subscriptions.get(subscriptionId);
        return data == null ? List.of() : data.deadLetters.values().stream().limit(limit).toList();
    }

    @Override
    public synchronized long countDeadLetters(String busName, String subscriptionId) {
        SubscriptionData data = bus(busName).subscriptions.get(subscriptionId);
        return data == null ? 0 : data.deadLetters.size();
    }

    @Override
    public synchronized boolean deleteDeadLetter(String busName, String subscriptionId, long position) {
        SubscriptionData data = bus(busName).subscriptions.get(subscriptionId);
        return data != null && data.deadLetters.remove(position) != null;
    }

    private static final class BusData {
        final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        final ArrayList<RecordedSignal> log = new ArrayList<>();
        final SignalIdIndex positionsById = new SignalIdIndex();
        /** Positions deleted from the front of the log by retention. */
        long pruned;
        /** The time of the last append: no later append is recorded earlier. */
        @Nullable Instant lastRecordedAt;

        long head() {
            return pruned + log.size();
        }
        final Map<String, SubscriptionData> subscriptions = new TreeMap<>();
        /** Heartbeats by partitioned subscription: member to the end of its heartbeat. */
        final Map<String, Map<String, Instant>> members = new HashMap<>();
    }

    private static final class SubscriptionData {
        SubscriptionRecord record;
        final TreeMap<Long, Integer> attempts = new TreeMap<>();
        final TreeMap<Long, DeadLetter> deadLetters = new TreeMap<>();
        @Nullable String owner;
        @Nullable Instant leaseUntil;
        /** Incremented by every claim that is not a renewal. */
        long epoch;

        SubscriptionData(SubscriptionRecord record) {
            this.record = record;
        }
    }
}
