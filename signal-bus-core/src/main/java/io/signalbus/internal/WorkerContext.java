package io.signalbus.internal;

import io.signalbus.store.SignalStore;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.random.RandomGenerator;

/**
 * What the persistent-subscription workers of one bus share: its store, clock and listeners, the
 * bus-wide settings they read, and the background threads for store work they need not wait for.
 *
 * @param busName                 the bus whose log they read
 * @param background              runs reads ahead and checkpoint writes (on the caller when all threads are busy)
 * @param pollInterval            how often an idle subscription looks for signals written by other processes
 * @param readBatchSize           signals per read of the log
 * @param checkpointFlushCount    settled signals after which a checkpoint is written
 * @param checkpointFlushInterval time after which a checkpoint is written
 * @param instanceId              the name this process claims subscriptions under
 * @param claimLease              how long a claim lasts without renewal
 */
record WorkerContext(String busName, SignalStore store, Clock clock, Listeners listeners, RandomGenerator random,
        Executor background, Duration pollInterval, int readBatchSize, int checkpointFlushCount,
        Duration checkpointFlushInterval, String instanceId, Duration claimLease) {
}
