package io.signalbus.internal;

import io.signalbus.Delivery;
import io.signalbus.RecordedSignal;
import io.signalbus.Signal;
import io.signalbus.SignalHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An at-most-once, in-process subscription: called on the publishing thread after commit. */
final class TransientSubscription {

    private static final Logger log = LoggerFactory.getLogger(TransientSubscription.class);

    final String id;
    final String pattern;
    final SignalHandler handler;

    TransientSubscription(String id, String pattern, SignalHandler handler) {
        this.id = id;
        this.pattern = pattern;
        this.handler = handler;
    }

    /** Calls the handler; a failure is logged and dropped, as at-most-once delivery allows. */
    void deliver(RecordedSignal recorded) {
        try {
            handler.handle(new TransientDelivery(id, recorded));
        } catch (Exception e) {
            log.warn("transient subscription '{}' failed on signal {} (position {}); transient deliveries are not retried",
                    id, recorded.signal().id(), recorded.position(), e);
        }
    }

    private record TransientDelivery(String subscriptionId, RecordedSignal recorded) implements Delivery {

        @Override
        public Signal signal() {
            return recorded.signal();
        }

        @Override
        public long position() {
            return recorded.position();
        }

        @Override
        public int attempt() {
            return 1;
        }

        @Override
        public void ack() {
        }

        @Override
        public void nack(Throwable reason) {
        }
    }
}
