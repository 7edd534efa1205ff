package io.signalbus.internal;

import io.signalbus.HandlerDecorator;
import io.signalbus.PublishDecorator;
import io.signalbus.PublishInterceptor;
import io.signalbus.SignalBusListener;
import io.signalbus.SubscriptionDefaults;
import io.signalbus.json.SignalJson;
import io.signalbus.store.SignalStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * Everything a bus is built with, validated by {@link io.signalbus.SignalBusBuilder}.
 *
 * @param name                    the bus name
 * @param store                   where its log and subscription state live
 * @param clock                   for signal times, timeouts, backoff and checkpoint intervals
 * @param defaults                settings of subscriptions that leave them unset
 * @param maxPayloadSize          largest signal (serialised data plus attributes and extensions), in bytes
 * @param pollInterval            how often idle persistent subscriptions look for signals of other processes
 * @param checkpointFlushCount    settled signals after which a checkpoint is written
 * @param checkpointFlushInterval time after which a checkpoint is written
 * @param readBatchSize           signals per read of the log
 * @param shutdownTimeout         how long close waits for running handlers
 * @param random                  the source of retry jitter
 * @param instanceId              the name this process claims subscriptions under
 * @param claimLease              how long a claim lasts without renewal
 * @param codec                   whose mapper serialises data on publish (size and read-back checks)
 * @param listeners               told of what happens (metrics, logs)
 * @param interceptors            run on each signal before it is published, in order
 * @param decorators              wrap every handler, the first outermost
 * @param publishDecorators       run around every publish call, the first outermost
 */
public record BusConfig(String name, SignalStore store, Clock clock, SubscriptionDefaults defaults,
        int maxPayloadSize, Duration pollInterval, int checkpointFlushCount, Duration checkpointFlushInterval,
        int readBatchSize, Duration shutdownTimeout, RandomGenerator random, String instanceId, Duration claimLease,
        SignalJson codec, List<SignalBusListener> listeners, List<PublishInterceptor> interceptors,
        List<HandlerDecorator> decorators, List<PublishDecorator> publishDecorators) {

    public BusConfig {
        listeners = List.copyOf(listeners);
        interceptors = List.copyOf(interceptors);
        decorators = List.copyOf(decorators);
        publishDecorators = List.copyOf(publishDecorators);
    }
}
