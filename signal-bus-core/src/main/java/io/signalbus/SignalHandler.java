package io.signalbus;

/**
 * Receives deliveries of a subscription. A persistent subscription's handler acknowledges each
 * delivery with {@link Delivery#ack()} (now or later, from any thread); a thrown exception is a
 * nack. A transient subscription's deliveries need no ack.
 */
@FunctionalInterface
public interface SignalHandler {

    void handle(Delivery delivery) throws Exception;
}
