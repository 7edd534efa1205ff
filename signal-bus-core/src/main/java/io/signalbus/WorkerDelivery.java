package io.signalbus;

/** One attempt of a persistent subscription; its ack and nack go back to the worker. */
final class WorkerDelivery implements Delivery {

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

    @Override
    public String subscriptionId() {
        return worker.id;
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
