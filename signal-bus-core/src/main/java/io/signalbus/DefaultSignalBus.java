package io.signalbus;

import io.signalbus.router.PatternTrie;
import io.signalbus.router.SignalPattern;
import io.signalbus.store.InMemorySignalStore;
import io.signalbus.store.SignalStore;
import io.signalbus.store.SubscriptionRecord;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The bus: validates and appends signals, routes them, and runs one worker per persistent subscription. */
final class DefaultSignalBus implements SignalBus {

    private static final Logger log = LoggerFactory.getLogger(DefaultSignalBus.class);
    /** Store work runs in parallel across the bus's subscriptions; it mostly waits for the store. */
    private static final int BACKGROUND_THREADS = 2;

    private final String name;
    final SignalStore store;
    final Clock clock;
    final Listeners listeners;
    final RetryPolicy retry;
    final RandomGenerator random;
    final Duration pollInterval;
    final int checkpointFlushCount;
    final Duration checkpointFlushInterval;
    final int readBatchSize;
    final String instanceId;
    final Duration claimLease;
    private final SubscriptionDefaults defaults;
    private final int maxPayloadSize;
    private final Duration shutdownTimeout;
    private final List<PublishInterceptor> interceptors;
    private final List<HandlerDecorator> decorators;

    /** Transient subscriptions, matched by pattern in priority order. */
    private final PatternTrie<TransientSubscription> router = new PatternTrie<>();
    private final Map<String, TransientSubscription> transients = new ConcurrentHashMap<>();
    private final Map<String, PatternTrie.Registration<TransientSubscription>> registrations =
            new ConcurrentHashMap<>();
    private final Map<String, PersistentSubscriptionWorker> workers = new ConcurrentHashMap<>();
    /** Workers in priority order, then subscription order: the order in which they are handed signals. */
    private volatile List<PersistentSubscriptionWorker> workerOrder = List.of();
    private final AtomicLong transientIds = new AtomicLong();
    /** The concurrency each persistent subscription was last subscribed with here, for reconnects. */
    private final Map<String, Integer> concurrencies = new ConcurrentHashMap<>();
    /** Orders workers of equal priority by when they were started. */
    private final AtomicLong workerSequence = new AtomicLong();
    private final Object subscriptionLock = new Object();
    private volatile boolean closed;
    /**
     * Store work of persistent subscriptions that their dispatchers need not wait for: reading the
     * next page of the log while they deliver the last one, and writing checkpoints. Each
     * subscription has at most one read and one write queued, so the queue stays short; should it
     * ever fill, the dispatcher does the work itself.
     */
    private final ThreadPoolExecutor background;

    DefaultSignalBus(SignalBusBuilder builder) {
        this.name = builder.name;
        this.store = builder.store != null ? builder.store : new InMemorySignalStore();
        this.clock = builder.clock;
        this.listeners = new Listeners(builder.listeners);
        this.defaults = builder.defaults;
        this.retry = builder.defaults.retry();
        this.random = builder.random;
        this.maxPayloadSize = builder.maxPayloadSize;
        this.pollInterval = builder.pollInterval;
        this.checkpointFlushCount = builder.checkpointFlushCount;
        this.checkpointFlushInterval = builder.checkpointFlushInterval;
        this.readBatchSize = builder.readBatchSize;
        this.instanceId = builder.instanceId;
        this.claimLease = builder.claimLease;
        this.shutdownTimeout = builder.shutdownTimeout;
        this.interceptors = List.copyOf(builder.interceptors);
        this.decorators = List.copyOf(builder.decorators);
        var backgroundThreads = new AtomicLong();
        this.background = new ThreadPoolExecutor(BACKGROUND_THREADS, BACKGROUND_THREADS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(1024), task -> {
                    Thread thread = new Thread(task, "signal-bus-" + name + "-store-" + backgroundThreads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                }, (task, executor) -> task.run());
        background.allowCoreThreadTimeOut(true);
    }

    /** Runs store work of a persistent subscription on a background thread (on the caller if they are all busy). */
    void inBackground(Runnable task) {
        background.execute(task);
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
        var prepared = new ArrayList<Signal>(signals.size());
        Instant now = clock.instant();
        for (int i = 0; i < signals.size(); i++) {
            Signal signal = signals.get(i);
            if (signal == null) {
                throw new InvalidSignalException("signal " + i + " of " + signals.size() + " is null");
            }
            for (PublishInterceptor interceptor : interceptors) {
                signal = Objects.requireNonNull(interceptor.beforePublish(name, signal),
                        () -> "publish interceptor " + interceptor + " returned null");
            }
            if (signal.time() == null) {
                signal = signal.withTime(now);
            }
            checkPayloadSize(signal);
            prepared.add(signal);
        }
        // the store keeps log times in order, and hands committed signals to the workers in order
        List<RecordedSignal> recorded = store.append(name, prepared, now, this::handOff);
        store.afterCommit(() -> {
            listeners.published(name, recorded); // after commit: a rolled-back publish is not counted
            deliverToTransients(recorded);
        });
        return recorded;
    }

    private void checkPayloadSize(Signal signal) {
        byte[] data = signal.dataJson();
        if (data != null && data.length > maxPayloadSize) {
            throw new SignalTooLargeException("signal " + signal.id() + " of type '" + signal.type() + "' has "
                    + data.length + " bytes of data; bus '" + name + "' allows at most " + maxPayloadSize
                    + " (signal-bus.max-payload-size)");
        }
    }

    /** After commit, on the publisher's thread: transient handlers in priority order. */
    private void deliverToTransients(List<RecordedSignal> recorded) {
        if (!transients.isEmpty()) {
            for (RecordedSignal signal : recorded) {
                for (TransientSubscription subscription : router.match(signal.signal().type())) {
                    subscription.deliver(signal);
                }
            }
        }
    }

    /**
     * After commit, on the store's committing thread where it has one: hands the signals to every
     * worker (each needs the whole log, matching or not, to move its checkpoint); only workers with
     * a matching signal are woken. Quick: it never runs a handler.
     */
    private void handOff(List<RecordedSignal> recorded) {
        for (PersistentSubscriptionWorker worker : workerOrder) {
            boolean matches = false;
            for (int i = 0; i < recorded.size() && !matches; i++) {
                matches = worker.pattern.matches(recorded.get(i).signal().type());
            }
            worker.offer(recorded, matches);
        }
    }

    // ------------------------------------------------------------------ subscribe

    @Override
    public String subscribe(String pattern, SubscribeOptions options, SignalHandler handler) {
        ensureOpen();
        SignalPattern compiled = SignalPattern.compile(pattern);
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(handler, "handler");
        if (!options.isPersistent()) {
            String id = "transient-" + transientIds.incrementAndGet();
            var subscription = new TransientSubscription(id, compiled.value(), decorate(id, handler));
            synchronized (subscriptionLock) {
                transients.put(id, subscription);
                registrations.put(id, router.add(compiled.value(), options.priority(), subscription));
            }
            return id;
        }
        String id = options.subscriptionId();
        synchronized (subscriptionLock) {
            SubscriptionRecord wanted = newRecord(id, compiled.value(), options);
            SubscriptionRecord stored = store.findSubscription(name, id).orElseGet(() -> store.createSubscription(wanted));
            if (!stored.pattern().equals(compiled.value())) {
                throw new SubscriptionConflictException("subscription '" + id + "' on bus '" + name
                        + "' already exists with pattern '" + stored.pattern() + "'; cannot subscribe it to '"
                        + pattern + "' (unsubscribe it with deletePersistence first, or choose another id)");
            }
            if (stored != wanted && !sameSettings(stored, wanted)) {
                store.updateSettings(wanted);
                stored = new SubscriptionRecord(name, id, stored.pattern(), stored.checkpoint(), wanted.maxInFlight(),
                        wanted.maxAttempts(), wanted.ackTimeout(), wanted.priority(), stored.createdAt());
            }
            PersistentSubscriptionWorker active = workers.get(id);
            if (active != null) {
                log.info("subscription '{}' on bus '{}' is active; attaching the new handler", id, name);
                active.reconnect(decorate(id, handler));
                return id;
            }
            concurrencies.put(id, options.concurrency());
            startWorker(stored, options.concurrency(), decorate(id, handler));
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

    private SubscriptionRecord newRecord(String id, String pattern, SubscribeOptions options) {
        StartFrom startFrom = options.startFrom() != null ? options.startFrom() : defaults.startFrom();
        return new SubscriptionRecord(name, id, pattern, checkpointFor(startFrom),
                options.maxInFlight() != null ? options.maxInFlight() : defaults.maxInFlight(),
                options.maxAttempts() != null ? options.maxAttempts() : defaults.maxAttempts(),
                options.ackTimeout() != null ? options.ackTimeout() : defaults.ackTimeout(),
                options.priority(), clock.instant());
    }

    private static boolean sameSettings(SubscriptionRecord a, SubscriptionRecord b) {
        return a.maxInFlight() == b.maxInFlight() && a.maxAttempts() == b.maxAttempts()
                && a.ackTimeout().equals(b.ackTimeout()) && a.priority() == b.priority();
    }

    /** The checkpoint that makes a subscription start where {@code startFrom} says. */
    private Checkpoint checkpointFor(StartFrom startFrom) {
        long position = switch (startFrom.kind()) {
            case ORIGIN -> 0;
            case CURRENT -> store.head(name);
            case INSTANT -> store.positionBefore(name, startFrom.instant());
            case POSITION -> startFrom.position() - 1;
        };
        if (position == 0) {
            return Checkpoint.ORIGIN;
        }
        return store.signalAt(name, position).map(r -> new Checkpoint(position, r.signal().time()))
                .orElse(new Checkpoint(position, null));
    }

    private void startWorker(SubscriptionRecord record, int concurrency, SignalHandler handler) {
        var worker = new PersistentSubscriptionWorker(this, record, concurrency, handler,
                workerSequence.incrementAndGet());
        workers.put(record.subscriptionId(), worker);
        reorderWorkers();
        worker.start();
    }

    private void reorderWorkers() {
        // the routing order of the trie (priority, then registration) applies to workers too
        var order = new ArrayList<>(workers.values());
        order.sort(Comparator.comparingInt((PersistentSubscriptionWorker w) -> -w.priority)
                .thenComparingLong(w -> w.sequence));
        workerOrder = List.copyOf(order);
    }

    @Override
    public void unsubscribe(String subscriptionId, boolean deletePersistence) {
        Objects.requireNonNull(subscriptionId, "subscriptionId");
        synchronized (subscriptionLock) {
            if (transients.remove(subscriptionId) != null) {
                router.remove(registrations.remove(subscriptionId));
                return;
            }
            PersistentSubscriptionWorker worker = workers.get(subscriptionId);
            if (worker != null) {
                stopWorker(worker, !deletePersistence);
            } else if (store.findSubscription(name, subscriptionId).isEmpty()) {
                throw new SubscriptionNotFoundException(name, subscriptionId);
            }
            if (deletePersistence) {
                concurrencies.remove(subscriptionId);
                store.deleteSubscription(name, subscriptionId);
                log.info("subscription '{}' on bus '{}' deleted with its checkpoint and dead letters", subscriptionId,
                        name);
            }
        }
    }

    private void stopWorker(PersistentSubscriptionWorker worker, boolean flush) {
        workers.remove(worker.id);
        reorderWorkers();
        worker.signalStop();
        worker.awaitStop(shutdownTimeout, flush);
    }

    @Override
    public Checkpoint reconnect(String subscriptionId, SignalHandler handler) {
        ensureOpen();
        Objects.requireNonNull(handler, "handler");
        synchronized (subscriptionLock) {
            PersistentSubscriptionWorker active = workers.get(subscriptionId);
            if (active != null) {
                active.reconnect(decorate(subscriptionId, handler));
                return active.checkpoint();
            }
            SubscriptionRecord record = store.findSubscription(name, subscriptionId)
                    .orElseThrow(() -> new SubscriptionNotFoundException(name, subscriptionId));
            startWorker(record, concurrencies.getOrDefault(subscriptionId, 1), decorate(subscriptionId, handler));
            return record.checkpoint();
        }
    }

    // ------------------------------------------------------------------ ack and nack

    @Override
    public void ack(String subscriptionId, String signalId) {
        Objects.requireNonNull(signalId, "signalId");
        PersistentSubscriptionWorker worker = workers.get(subscriptionId);
        if (worker != null && worker.ack(signalId)) {
            return;
        }
        requireSettled(subscriptionId, signalId, worker, "ack");
    }

    /** Checks every id before acking any, so a bad id in the batch leaves the subscription as it was. */
    @Override
    public void ack(String subscriptionId, Collection<String> signalIds) {
        Objects.requireNonNull(signalIds, "signalIds");
        PersistentSubscriptionWorker worker = workers.get(subscriptionId);
        if (worker == null && !transients.containsKey(subscriptionId)) {
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
        PersistentSubscriptionWorker worker = workers.get(subscriptionId);
        if (worker != null && worker.nack(signalId, reason)) {
            return;
        }
        requireSettled(subscriptionId, signalId, worker, "nack");
    }

    /**
     * The slow path of ack/nack for a signal that is not pending: a no-op when it is already settled
     * (a repeated ack), an error when the subscription or signal is unknown or the signal is not yet
     * delivered.
     */
    private void requireSettled(String subscriptionId, String signalId, PersistentSubscriptionWorker worker,
            String operation) {
        if (transients.containsKey(subscriptionId)) {
            return; // transient deliveries need no ack
        }
        Optional<SubscriptionRecord> record = worker == null ? store.findSubscription(name, subscriptionId)
                : Optional.empty();
        if (worker == null && record.isEmpty()) {
            throw new SubscriptionNotFoundException(name, subscriptionId);
        }
        OptionalLong position = store.positionOf(name, signalId);
        if (position.isEmpty()) {
            throw new UnknownSignalException("cannot " + operation + " signal '" + signalId + "' for subscription '"
                    + subscriptionId + "': no such signal in the log of bus '" + name + "'");
        }
        boolean settled = worker != null ? worker.isSettled(position.getAsLong())
                : position.getAsLong() <= record.get().checkpoint().position();
        SignalPattern pattern = worker != null ? worker.pattern : SignalPattern.compile(record.get().pattern());
        Signal signal = store.signalAt(name, position.getAsLong()).map(RecordedSignal::signal).orElse(null);
        if (signal != null && !pattern.matches(signal.type())) {
            throw new UnknownSignalException("cannot " + operation + " signal '" + signalId + "' for subscription '"
                    + subscriptionId + "': its type '" + signal.type() + "' does not match the subscription's pattern '"
                    + pattern.value() + "', so it was never delivered to it");
        }
        if (!settled) {
            throw new UnknownSignalException("cannot " + operation + " signal '" + signalId + "' (position "
                    + position.getAsLong() + ") for subscription '" + subscriptionId + "': it has not been delivered"
                    + (worker == null ? " (the subscription is not connected in this process)" : " yet"));
        }
    }

    // ------------------------------------------------------------------ replay, status, dead letters

    @Override
    public List<RecordedSignal> replay(String pattern, ReplayOptions options) {
        SignalPattern compiled = SignalPattern.compile(pattern);
        Objects.requireNonNull(options, "options");
        long after = options.since() != null ? store.positionBefore(name, options.since()) : options.fromPosition() - 1;
        var result = new ArrayList<RecordedSignal>();
        while (result.size() < options.limit()) {
            List<RecordedSignal> batch = store.read(name, after, readBatchSize);
            for (RecordedSignal recorded : batch) {
                if (compiled.matches(recorded.signal().type())) {
                    result.add(recorded);
                    if (result.size() == options.limit()) {
                        break;
                    }
                }
            }
            if (batch.size() < readBatchSize) {
                break;
            }
            after = batch.get(batch.size() - 1).position();
        }
        return result;
    }

    @Override
    public BusStatus status() {
        long head = store.head(name);
        var statuses = new ArrayList<SubscriptionStatus>();
        for (SubscriptionRecord record : store.subscriptions(name)) {
            PersistentSubscriptionWorker worker = workers.get(record.subscriptionId());
            Checkpoint checkpoint = worker != null && worker.isClaimed() ? worker.checkpoint() : record.checkpoint();
            SubscriptionState state = worker == null ? SubscriptionState.DISCONNECTED
                    : worker.isClaimed() ? SubscriptionState.ACTIVE : SubscriptionState.STANDBY;
            statuses.add(new SubscriptionStatus(record.subscriptionId(), record.pattern(), true, state, checkpoint, head,
                    Math.max(0, head - checkpoint.position()), state == SubscriptionState.ACTIVE ? worker.inFlightCount() : 0,
                    store.countDeadLetters(name, record.subscriptionId()), worker != null ? worker.lastError() : null));
        }
        transients.values().stream().sorted(Comparator.comparing(t -> t.id)).forEach(t -> statuses.add(
                new SubscriptionStatus(t.id, t.pattern, false, SubscriptionState.ACTIVE, Checkpoint.ORIGIN, head, 0, 0,
                        0, null)));
        return new BusStatus(name, head, statuses);
    }

    @Override
    public List<DeadLetter> deadLetters(String subscriptionId, int limit) {
        requirePersistent(subscriptionId);
        SubscribeOptions.requireRange("limit", limit, 1, ReplayOptions.MAX_LIMIT);
        return store.deadLetters(name, subscriptionId, limit);
    }

    @Override
    public int redriveDeadLetters(String subscriptionId, int limit) {
        requirePersistent(subscriptionId);
        SubscribeOptions.requireRange("limit", limit, 1, ReplayOptions.MAX_LIMIT);
        PersistentSubscriptionWorker worker = workers.get(subscriptionId);
        if (worker == null || !worker.isClaimed()) {
            throw new SubscriptionNotActiveException(name, subscriptionId, "redriving dead letters");
        }
        int count = worker.redrive(store.deadLetters(name, subscriptionId, limit));
        if (count > 0) {
            log.info("subscription '{}' on bus '{}': redriving {} dead letters", subscriptionId, name, count);
            listeners.redriven(name, subscriptionId, count);
        }
        return count;
    }

    @Override
    public int discardDeadLetters(String subscriptionId, int limit) {
        requirePersistent(subscriptionId);
        SubscribeOptions.requireRange("limit", limit, 1, ReplayOptions.MAX_LIMIT);
        int count = 0;
        for (DeadLetter deadLetter : store.deadLetters(name, subscriptionId, limit)) {
            if (store.deleteDeadLetter(name, subscriptionId, deadLetter.position())) {
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
            Checkpoint checkpoint = checkpointFor(to);
            PersistentSubscriptionWorker worker = workers.get(subscriptionId);
            if (worker != null) {
                stopWorker(worker, false); // gives up its claim, if it held it
            }
            // the process serving the subscription flushes its own checkpoint and would overwrite this
            // one: only move it while holding the claim
            Instant now = clock.instant();
            if (!store.claim(name, subscriptionId, instanceId, now, now.plus(claimLease))) {
                if (worker != null) {
                    startWorker(record, worker.concurrency(), worker.handler());
                }
                throw new SubscriptionNotActiveException("subscription '" + subscriptionId + "' on bus '" + name
                        + "' is served by another process, which holds its claim; move its checkpoint there");
            }
            try {
                store.saveCheckpoint(name, subscriptionId, checkpoint);
            } finally {
                if (worker == null) {
                    store.release(name, subscriptionId, instanceId);
                }
            }
            log.info("subscription '{}' on bus '{}': checkpoint moved from {} to {} ({})", subscriptionId, name,
                    record.checkpoint().position(), checkpoint.position(), to);
            if (worker != null) {
                startWorker(record.withCheckpoint(checkpoint), worker.concurrency(), worker.handler());
            }
            return checkpoint;
        }
    }

    @Override
    public int prune(Instant recordedBefore, int limit) {
        Objects.requireNonNull(recordedBefore, "recordedBefore");
        SubscribeOptions.requireRange("limit", limit, 1, Integer.MAX_VALUE);
        // the lowest checkpoint bounds what may go: flushed for disconnected subscriptions, the flushed
        // one too for active ones (their in-memory checkpoint may be ahead, never behind)
        long lowest = store.head(name);
        for (SubscriptionRecord record : store.subscriptions(name)) {
            lowest = Math.min(lowest, record.checkpoint().position());
        }
        int deleted = lowest == 0 ? 0 : store.deleteBefore(name, lowest, recordedBefore, limit);
        if (deleted > 0) {
            log.info("bus '{}': retention deleted {} signals recorded before {} (at or below position {})", name,
                    deleted, recordedBefore, lowest);
        }
        return deleted;
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
            List<PersistentSubscriptionWorker> all = new ArrayList<>(workers.values());
            all.forEach(PersistentSubscriptionWorker::signalStop);
            for (PersistentSubscriptionWorker worker : all) {
                worker.awaitStop(shutdownTimeout, true);
            }
            workers.clear();
            workerOrder = List.of();
            background.shutdown(); // reads still on their way take milliseconds: let them end before the store does
            try {
                if (!background.awaitTermination(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    log.warn("bus '{}': store work of its subscriptions still running {} after close", name,
                            shutdownTimeout);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            log.info("bus '{}' closed; {} persistent subscriptions stopped", name, all.size());
        }
    }

    @Override
    public String toString() {
        return "SignalBus[" + name + "]";
    }
}
