package io.signalbus.internal;

import io.signalbus.BusClosedException;
import io.signalbus.InvalidOptionException;
import io.signalbus.BusStatus;
import io.signalbus.Checkpoint;
import io.signalbus.DeadLetter;
import io.signalbus.HandlerDecorator;
import io.signalbus.PublishDecorator;
import io.signalbus.InvalidSignalException;
import io.signalbus.RecordedSignal;
import io.signalbus.ReplayOptions;
import io.signalbus.Signal;
import io.signalbus.SignalBus;
import io.signalbus.SignalHandler;
import io.signalbus.StartFrom;
import io.signalbus.SubscribeOptions;
import io.signalbus.SubscriptionDefaults;
import io.signalbus.SubscriptionNotActiveException;
import io.signalbus.SubscriptionNotFoundException;
import io.signalbus.router.SignalPattern;
import io.signalbus.store.SignalStore;
import io.signalbus.store.SubscriptionRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The bus: validates and appends signals, routes them, and runs one worker per persistent subscription. */
public final class DefaultSignalBus implements SignalBus {

    private static final Logger log = LoggerFactory.getLogger(DefaultSignalBus.class);

    private final String name;
    private final SignalStore store;
    private final Clock clock;
    private final Listeners listeners;
    private final SubscriptionDefaults defaults;
    private final int readBatchSize;
    private final Duration shutdownTimeout;
    private final SignalAdmission admission;
    private final List<HandlerDecorator> decorators;
    private final List<PublishDecorator> publishDecorators;
    private final WorkerContext context;

    private final TransientRouter transients = new TransientRouter();
    private final PersistentWorkers workers = new PersistentWorkers();
    /** The settings each persistent subscription was last subscribed with here, for reconnects. */
    private final Map<String, SubscriptionSettings> localSettings = new ConcurrentHashMap<>();
    private final Object subscriptionLock = new Object();
    private volatile boolean closed;
    private final StoreWork background;
    /** Stops the store's wake-ups for signals appended elsewhere. */
    private final Runnable stopWakeUps;

    /** A bus as {@code config} says; {@link SignalBus#builder()} is the way to make one. */
    public DefaultSignalBus(BusConfig config) {
        this.name = config.name();
        this.store = config.store();
        this.clock = config.clock();
        this.listeners = new Listeners(config.listeners());
        this.defaults = config.defaults();
        this.readBatchSize = config.readBatchSize();
        this.shutdownTimeout = config.shutdownTimeout();
        this.admission = new SignalAdmission(name, config.interceptors(), config.maxPayloadSize(), config.codec());
        this.decorators = config.decorators();
        this.publishDecorators = config.publishDecorators();
        this.background = new StoreWork(name);
        this.context = new WorkerContext(name, store, clock, listeners, config.random(), background,
                config.pollInterval(), readBatchSize, config.checkpointFlushCount(), config.checkpointFlushInterval(),
                config.instanceId(), config.claimLease());
        this.stopWakeUps = workers.readOnAppendsElsewhere(store, name);
    }

    @Override
    public String name() {
        return name;
    }

    // ------------------------------------------------------------------ publish

    @Override
    public List<RecordedSignal> publish(List<Signal> signals) {
        ensureOpen();
        if (signals == null) {
            throw new InvalidSignalException("signals must not be null");
        }
        if (signals.isEmpty()) {
            return List.of();
        }
        Supplier<List<RecordedSignal>> publish = () -> append(signals);
        for (int i = publishDecorators.size() - 1; i >= 0; i--) {
            PublishDecorator decorator = publishDecorators.get(i);
            Supplier<List<RecordedSignal>> inner = publish;
            publish = () -> decorator.around(name, signals, inner);
        }
        return publish.get();
    }

    private List<RecordedSignal> append(List<Signal> signals) {
        Instant now = clock.instant();
        List<Signal> prepared = admission.admit(signals, now);
        // the store keeps log times in order, and hands committed signals to the workers in order
        List<RecordedSignal> recorded = store.append(name, prepared, now, workers::handOn);
        store.afterCommit(() -> {
            listeners.published(name, recorded); // after commit: a rolled-back publish is not counted
            transients.deliver(recorded);
        });
        return recorded;
    }

    // ------------------------------------------------------------------ subscribe

    @Override
    public String subscribe(String pattern, SubscribeOptions options, SignalHandler handler) {
        ensureOpen();
        SignalPattern compiled = SignalPattern.compile(pattern);
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handler, "handler");
        if (!options.isPersistent()) {
            return transients.add(compiled.value(), options.priority(), id -> decorate(id, handler));
        }
        String id = Objects.requireNonNull(options.subscriptionId(), "subscriptionId"); // persistent options have one
        synchronized (subscriptionLock) {
            SubscriptionSettings settings = SubscriptionSettings.resolve(options, defaults);
            SubscriptionRecord record = SubscriptionRecords.resolve(store, name, id, compiled, settings, clock.instant());
            SubscriptionWorkers active = workers.get(id);
            if (active != null) {
                log.info("subscription '{}' on bus '{}' is active; attaching the new handler", id, name);
                active.reconnect(decorate(id, handler));
                return id;
            }
            localSettings.put(id, settings);
            startWorker(record, settings, decorate(id, handler));
            return id;
        }
    }

    private SignalHandler decorate(String subscriptionId, SignalHandler handler) {
        SignalHandler decorated = handler;
        for (int i = decorators.size() - 1; i >= 0; i--) {
            decorated = decorators.get(i).decorate(name, subscriptionId, decorated);
        }
        return decorated;
    }

    private void startWorker(SubscriptionRecord record, SubscriptionSettings settings, SignalHandler handler) {
        var subscription = SubscriptionWorkers.of(context, record, settings, handler, workers::nextSequence);
        workers.add(subscription);
        subscription.start();
    }

    /** How a reconnected subscription is served: as it was last subscribed here, else as stored. */
    private SubscriptionSettings settingsOf(SubscriptionRecord record) {
        return localSettings.getOrDefault(record.subscriptionId(), SubscriptionSettings.stored(record, defaults));
    }

    @Override
    public void unsubscribe(String subscriptionId, boolean deletePersistence) {
        Objects.requireNonNull(subscriptionId, "subscriptionId");
        synchronized (subscriptionLock) {
            if (transients.remove(subscriptionId)) {
                return;
            }
            SubscriptionWorkers worker = workers.get(subscriptionId);
            SubscriptionRecord record = store.findSubscription(name, subscriptionId).orElse(null);
            if (worker != null) {
                stopWorker(worker, !deletePersistence);
            } else if (record == null) {
                throw new SubscriptionNotFoundException(name, subscriptionId);
            }
            if (deletePersistence) {
                localSettings.remove(subscriptionId);
                if (record != null && record.partitions() > 1) {
                    SubscriptionRecords.storeIds(record).forEach(partition -> store.deleteSubscription(name, partition));
                }
                store.deleteSubscription(name, subscriptionId);
                log.info("subscription '{}' on bus '{}' deleted with its checkpoint and dead letters", subscriptionId,
                        name);
            }
        }
    }

    private void stopWorker(SubscriptionWorkers worker, boolean flush) {
        workers.remove(worker);
        worker.signalStop();
        worker.awaitStop(shutdownTimeout, flush);
    }

    @Override
    public Checkpoint reconnect(String subscriptionId, SignalHandler handler) {
        ensureOpen();
        Objects.requireNonNull(handler, "handler");
        synchronized (subscriptionLock) {
            SubscriptionRecord record = store.findSubscription(name, subscriptionId)
                    .orElseThrow(() -> new SubscriptionNotFoundException(name, subscriptionId));
            SubscriptionWorkers active = workers.get(subscriptionId);
            if (active != null) {
                active.reconnect(decorate(subscriptionId, handler));
                return StatusReport.checkpointOf(store, record, active);
            }
            startWorker(record, settingsOf(record), decorate(subscriptionId, handler));
            return StatusReport.checkpointOf(store, record, null);
        }
    }

    // ------------------------------------------------------------------ ack and nack

    @Override
    public void ack(String subscriptionId, String signalId) {
        Objects.requireNonNull(signalId, "signalId");
        SubscriptionWorkers worker = workers.get(subscriptionId);
        if (worker != null && worker.ack(signalId)) {
            return;
        }
        requireSettled(subscriptionId, signalId, worker, "ack");
    }

    /** Checks every id before acking any, so a bad id in the batch leaves the subscription as it was. */
    @Override
    public void ack(String subscriptionId, Collection<String> signalIds) {
        Objects.requireNonNull(signalIds, "signalIds");
        SubscriptionWorkers worker = workers.get(subscriptionId);
        if (worker == null && !transients.contains(subscriptionId)) {
            requirePersistent(subscriptionId);
        }
        for (String signalId : signalIds) {
            if (worker == null || !worker.isPending(Objects.requireNonNull(signalId, "signal id"))) {
                requireSettled(subscriptionId, signalId, worker, "ack");
            }
        }
        if (worker != null) {
            signalIds.forEach(worker::ack);
        }
    }

    @Override
    public void nack(String subscriptionId, String signalId, Throwable reason) {
        Objects.requireNonNull(signalId, "signalId");
        Objects.requireNonNull(reason, "reason");
        SubscriptionWorkers worker = workers.get(subscriptionId);
        if (worker != null && worker.nack(signalId, reason)) {
            return;
        }
        requireSettled(subscriptionId, signalId, worker, "nack");
    }

    private void requireSettled(String subscriptionId, String signalId, @Nullable SubscriptionWorkers worker,
            String operation) {
        if (!transients.contains(subscriptionId)) { // transient deliveries need no ack
            AckCheck.requireSettled(store, name, subscriptionId, signalId, worker, operation);
        }
    }

    // ------------------------------------------------------------------ replay, status, dead letters

    @Override
    public List<RecordedSignal> replay(String pattern, ReplayOptions options) {
        SignalPattern compiled = SignalPattern.compile(pattern);
        Objects.requireNonNull(options, "options");
        return LogReplay.replay(store, name, readBatchSize, compiled, options);
    }

    @Override
    public BusStatus status() {
        return StatusReport.of(store, name, workers, transients, clock.instant());
    }

    @Override
    public List<DeadLetter> deadLetters(String subscriptionId, int limit) {
        SubscriptionRecord record = requirePersistent(subscriptionId);
        InvalidOptionException.requireRange("limit", limit, 1, ReplayOptions.MAX_LIMIT);
        return DeadLetters.list(store, record, limit);
    }

    @Override
    public int redriveDeadLetters(String subscriptionId, int limit) {
        SubscriptionRecord record = requirePersistent(subscriptionId);
        InvalidOptionException.requireRange("limit", limit, 1, ReplayOptions.MAX_LIMIT);
        SubscriptionWorkers worker = workers.get(subscriptionId);
        int count = worker == null ? -1 : worker.redrive(DeadLetters.list(store, record, limit));
        if (count < 0) {
            throw new SubscriptionNotActiveException(name, subscriptionId, "redriving dead letters");
        }
        if (count > 0) {
            log.info("subscription '{}' on bus '{}': redriving {} dead letters", subscriptionId, name, count);
            listeners.redriven(name, subscriptionId, count);
        }
        return count;
    }

    @Override
    public int discardDeadLetters(String subscriptionId, int limit) {
        SubscriptionRecord record = requirePersistent(subscriptionId);
        InvalidOptionException.requireRange("limit", limit, 1, ReplayOptions.MAX_LIMIT);
        int count = 0;
        for (DeadLetter deadLetter : DeadLetters.list(store, record, limit)) {
            if (store.deleteDeadLetter(name, deadLetter.subscriptionId(), deadLetter.position())) {
                count++;
            }
        }
        log.info("subscription '{}' on bus '{}': discarded {} dead letters", subscriptionId, name, count);
        return count;
    }

    @Override
    public Checkpoint moveCheckpoint(String subscriptionId, StartFrom to) {
        Objects.requireNonNull(to, "to");
        synchronized (subscriptionLock) {
            SubscriptionRecord record = requirePersistent(subscriptionId);
            Checkpoint checkpoint = StartPoints.moveTarget(store, name, subscriptionId, to, clock.instant());
            SubscriptionWorkers worker = workers.get(subscriptionId);
            if (worker != null) {
                stopWorker(worker, false); // gives up its claims, if it held them
            }
            // the process serving the subscription flushes its own checkpoint and would overwrite this
            // one: only move it while holding the claim (of every partition)
            if (!CheckpointMove.write(context, SubscriptionRecords.storeIds(record), checkpoint, worker == null)) {
                if (worker != null) {
                    startWorker(record, settingsOf(record), worker.handler());
                }
                throw new SubscriptionNotActiveException("subscription '" + subscriptionId + "' on bus '" + name
                        + "' is served by another process, which holds its claim; move its checkpoint there");
            }
            log.info("subscription '{}' on bus '{}': checkpoint moved from {} to {} ({})", subscriptionId, name,
                    record.checkpoint().position(), checkpoint.position(), to);
            if (worker != null) {
                startWorker(record.withCheckpoint(checkpoint), settingsOf(record), worker.handler());
            }
            return checkpoint;
        }
    }

    @Override
    public int prune(Instant recordedBefore, int limit) {
        Objects.requireNonNull(recordedBefore, "recordedBefore");
        InvalidOptionException.requireRange("limit", limit, 1, Integer.MAX_VALUE);
        return Retention.prune(store, name, recordedBefore, limit);
    }

    private SubscriptionRecord requirePersistent(String subscriptionId) {
        Objects.requireNonNull(subscriptionId, "subscriptionId");
        return store.findSubscription(name, subscriptionId)
                .orElseThrow(() -> new SubscriptionNotFoundException(name, subscriptionId));
    }

    // ------------------------------------------------------------------ lifecycle

    private void ensureOpen() {
        if (closed) {
            throw new BusClosedException(name);
        }
    }

    @Override
    public void close() {
        synchronized (subscriptionLock) {
            if (closed) {
                return;
            }
            closed = true;
            stopWakeUps.run();
            Collection<SubscriptionWorkers> all = workers.removeAll();
            all.forEach(SubscriptionWorkers::signalStop);
            all.forEach(worker -> worker.awaitStop(shutdownTimeout, true));
            background.shutdown(shutdownTimeout);
            log.info("bus '{}' closed; {} persistent subscriptions stopped", name, all.size());
        }
    }

    @Override
    public String toString() {
        return "SignalBus[" + name + "]";
    }
}
