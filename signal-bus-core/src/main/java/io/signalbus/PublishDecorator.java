package io.signalbus;

import java.util.List;
import java.util.function.Supplier;

/**
 * Runs around every {@link SignalBus#publish(List)} call of a bus, for cross-cutting work that needs
 * the whole call: timing it, or opening a trace span that is current while the
 * {@link PublishInterceptor}s run and the store writes. A decorator must call {@code publish} once and
 * return (or throw) what it returns (throws); it cannot change the signals (interceptors do that).
 * Decorators apply in the order added to the builder, the first outermost.
 */
@FunctionalInterface
public interface PublishDecorator {

    /**
     * @param busName the bus
     * @param signals the signals as the caller passed them (before interceptors), never empty
     * @param publish the publish itself (or the next decorator)
     * @return what {@code publish} returned
     */
    List<RecordedSignal> around(String busName, List<Signal> signals, Supplier<List<RecordedSignal>> publish);
}
