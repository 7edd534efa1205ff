package io.signalbus.internal;

import io.signalbus.Delivery;
import io.signalbus.Signal;
import io.signalbus.SignalHandler;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One attempt of a persistent subscription: handed to the handler, timed, and its ack and nack (a
 * handler that throws nacks) go back to the worker.
 */
final class WorkerDelivery implements Delivery {

    private static final Logger log = LoggerFactory.getLogger(WorkerDelivery.class);

    private final PersistentSubscriptionWorker worker;
    private final PendingSignal pending;
    private final long sequence;
    private final int attempt;

    WorkerDelivery(PersistentSubscriptionWorker worker, PendingSignal pending, long sequence, int attempt) {
        this.worker = worker;
        this.pending = pending;
        this.sequence = sequence;
        this.attempt = attempt;
    }

    /** Runs the handler on this attempt; an exception (not a JVM error) nacks it. */
    void run(SignalHandler handler, Listeners listeners, String busName) {
        listeners.delivering(busName, this, pending.recorded);
        long started = System.nanoTime();
        Throwable failure = null;
        try {
            handler.handle(this);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            failure = e;
        }
        listeners.handled(busName, this, Duration.ofNanos(System.nanoTime() - started), failure);
        if (failure != null) {
            log.debug("handler of subscription '{}' failed on signal {} (attempt {})", worker.id, pending.signalId(),
                    attempt, failure);
            worker.nack(pending, sequence, failure);
        }
    }

    @Override
    public String subscriptionId() {
        return worker.subscriptionId;
    }

    @Override
    public Signal signal() {
        return pending.recorded.signal();
    }

    @Override
    public long position() {
        return pending.position();
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public void ack() {
        worker.ack(pending);
    }

    @Override
    public void nack(Throwable reason) {
        worker.nack(pending, sequence, reason);
    }

    @Override
    public String toString() {
        return "Delivery[" + worker.id + " #" + position() + " attempt " + attempt + "]";
    }
}
