package io.signalbus.spring;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The {@link SignalListener} methods of the application, to list them and to stop and start one at
 * run time. A listener's id is {@code <beanName>.<methodName>}.
 * <p>
 * Stopping a persistent listener unsubscribes it: its subscription stays stored (checkpoint, dead
 * letters) and shows as disconnected; starting it subscribes again, resuming from the checkpoint.
 * Stopping a transient listener drops it; signals published while it is stopped are not delivered to
 * it. A listener with {@code autoStartup = "false"} is registered but waits for {@link #start(String)}.
 */
public interface SignalListenerRegistry {

    /** Every {@code @SignalListener} method, in the order the beans were created. */
    List<Listener> listeners();

    /**
     * Subscribes the listener unless it is running.
     *
     * @throws IllegalArgumentException no listener has this id
     */
    void start(String id);

    /**
     * Unsubscribes the listener if it is running, waiting for its handler calls in progress (up to the
     * bus's shutdown timeout) and flushing its checkpoint.
     *
     * @throws IllegalArgumentException no listener has this id
     */
    void stop(String id);

    /**
     * One listener.
     *
     * @param id             {@code <beanName>.<methodName>}
     * @param bus            the bus it listens on
     * @param pattern        its pattern
     * @param subscriptionId its persistent subscription's id, or null for a transient listener
     * @param autoStartup    whether it starts with the application
     * @param running        whether it is subscribed now
     */
    record Listener(String id, String bus, String pattern, @Nullable String subscriptionId, boolean autoStartup,
            boolean running) {
    }
}
