package io.signalbus.testing;

import io.signalbus.Checkpoint;
import io.signalbus.DeadLetter;
import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import io.signalbus.store.Lease;
import io.signalbus.store.SignalStore;
import io.signalbus.store.SubscriptionRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/** A store that forwards everything to another; tests override what they want to break or watch. */
public class DelegatingSignalStore implements SignalStore {

    protected final SignalStore delegate;

    public DelegatingSignalStore(SignalStore delegate) {
        this.delegate = delegate;
    }

    @Override
    public @Nullable Lease claim(String busName, String subscriptionId, String owner, Instant now, Duration lease) {
        return delegate.claim(busName, subscriptionId, owner, now, lease);
    }

    @Override
    public Map<String, Lease> currentClaims(String busName, Instant now) {
        return delegate.currentClaims(busName, now);
    }

    @Override
    public List<String> heartbeat(String busName, String subscriptionId, String member, Instant now,
            Duration lease) {
        return delegate.heartbeat(busName, subscriptionId, member, now, lease);
    }

    @Override
    public void leave(String busName, String subscriptionId, String member) {
        delegate.leave(busName, subscriptionId, member);
    }

    @Override
    public void release(String busName, String subscriptionId, String owner) {
        delegate.release(busName, subscriptionId, owner);
    }

    @Override
    public int deleteBefore(String busName, long throughPosition, Instant recordedBefore, int limit) {
        return delegate.deleteBefore(busName, throughPosition, recordedBefore, limit);
    }

    @Override
    public List<RecordedSignal> append(String busName, List<Signal> signals, Instant recordedAt) {
        return delegate.append(busName, signals, recordedAt);
    }

    @Override
    public void afterCommit(Runnable action) {
        delegate.afterCommit(action);
    }

    @Override
    public List<RecordedSignal> read(String busName, long afterPosition, int limit) {
        return delegate.read(busName, afterPosition, limit);
    }

    @Override
    public long head(String busName) {
        return delegate.head(busName);
    }

    @Override
    public long positionBefore(String busName, Instant time) {
        return delegate.positionBefore(busName, time);
    }

    @Override
    public Optional<RecordedSignal> signalAt(String busName, long position) {
        return delegate.signalAt(busName, position);
    }

    @Override
    public OptionalLong positionOf(String busName, String signalId) {
        return delegate.positionOf(busName, signalId);
    }

    @Override
    public Optional<SubscriptionRecord> findSubscription(String busName, String subscriptionId) {
        return delegate.findSubscription(busName, subscriptionId);
    }

    @Override
    public List<SubscriptionRecord> subscriptions(String busName) {
        return delegate.subscriptions(busName);
    }

    @Override
    public SubscriptionRecord createSubscription(SubscriptionRecord record) {
        return delegate.createSubscription(record);
    }

    @Override
    public void updateSettings(SubscriptionRecord record) {
        delegate.updateSettings(record);
    }

    @Override
    public boolean deleteSubscription(String busName, String subscriptionId) {
        return delegate.deleteSubscription(busName, subscriptionId);
    }

    @Override
    public void saveAttempts(String busName, String subscriptionId, long epoch, long position, int attempts) {
        delegate.saveAttempts(busName, subscriptionId, epoch, position, attempts);
    }

    @Override
    public Map<Long, Integer> attempts(String busName, String subscriptionId, long afterPosition) {
        return delegate.attempts(busName, subscriptionId, afterPosition);
    }

    @Override
    public List<DeadLetter> deadLetters(String busName, String subscriptionId, int limit) {
        return delegate.deadLetters(busName, subscriptionId, limit);
    }

    @Override
    public long countDeadLetters(String busName, String subscriptionId) {
        return delegate.countDeadLetters(busName, subscriptionId);
    }

    @Override
    public boolean deleteDeadLetter(String busName, String subscriptionId, long position) {
        return delegate.deleteDeadLetter(busName, subscriptionId, position);
    }

    @Override
    public void saveCheckpoint(String busName, String subscriptionId, long epoch, Checkpoint checkpoint) {
        delegate.saveCheckpoint(busName, subscriptionId, epoch, checkpoint);
    }

    @Override
    public void addDeadLetter(String busName, long epoch, DeadLetter deadLetter) {
        delegate.addDeadLetter(busName, epoch, deadLetter);
    }
}
