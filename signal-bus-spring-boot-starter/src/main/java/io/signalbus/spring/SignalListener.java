package io.signalbus.spring;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Subscribes a bean method to signals whose type matches {@link #value()}. The method takes the
 * {@link io.signalbus.Signal}, a payload converted from its data, or both ({@code (OrderCreated data,
 * Signal signal)}); a {@link io.signalbus.Delivery} parameter is also accepted. A normal return acks;
 * a thrown exception nacks (retried with backoff, then dead-lettered). Data that cannot be converted
 * to the payload type is dead-lettered at once with the conversion error.
 *
 * <p>Persistent listeners start when the application context is ready, resume from their
 * checkpoint after a restart, and stop gracefully (flushing checkpoints) on shutdown. Invalid
 * settings fail the startup with a message naming the bean and method. {@link SignalListenerRegistry}
 * lists the listeners and stops or starts one at run time.
 *
 * <p>The string attributes ({@link #value()}, {@link #bus()}, {@link #subscriptionId()},
 * {@link #startFrom()}, {@link #ackTimeout()}, {@link #initialBackoff()}, {@link #maxBackoff()},
 * {@link #autoStartup()}) may hold {@code ${…}} property placeholders and SpEL {@code #{…}}
 * expressions, resolved when the bean is created, e.g. {@code @SignalListener(value =
 * "${orders.pattern:order.**}", subscriptionId = "#{'orders_' + '${region}'}")}.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface SignalListener {

    /** The pattern: dot-separated segments, {@code *} for one segment, {@code **} for zero or more. */
    String value();

    /** The bus to listen on. */
    String bus() default "default";

    /** At-least-once with a durable checkpoint (true) or at-most-once in-process fan-out (false). */
    boolean persistent() default false;

    /**
     * The stable id of a persistent subscription. Defaults to {@code <beanName>.<methodName>}, so it
     * survives restarts; set it explicitly if you may rename the bean or method.
     */
    String subscriptionId() default "";

    /** Unacked deliveries at a time; -1 takes {@code signal-bus.max-in-flight}. */
    int maxInFlight() default -1;

    /**
     * Where a new persistent subscription starts: {@code origin}, {@code current}, a position, or an
     * ISO-8601 instant; empty takes {@code signal-bus.start-from}.
     */
    String startFrom() default "";

    /** Order among listeners of one signal, -100..100, higher first. */
    int priority() default 0;

    /** Deliveries before a signal is dead-lettered; -1 takes {@code signal-bus.max-attempts}. */
    int maxAttempts() default -1;

    /** How long a delivery may run unacked, e.g. {@code 30s}; empty takes {@code signal-bus.ack-timeout}. */
    String ackTimeout() default "";

    /**
     * Threads calling this listener (persistent only); above 1 handling is no longer strictly ordered.
     * For a partitioned listener: calls at a time in this instance, shared by the partitions it serves.
     */
    int concurrency() default 1;

    /**
     * Partitions of a persistent listener's subscription (1..256, placeholders allowed), which
     * application instances share out between them; within a partition the signals of one
     * {@link #partitionKey() key} are handled one at a time in position order, other keys concurrently.
     * {@code "1"}: not partitioned. Fixed when the subscription is created: another count for an existing
     * subscription fails at startup. See {@link io.signalbus.SubscribeOptions#partitions(int)}.
     */
    String partitions() default "1";

    /**
     * The extension attribute whose value is a signal's partition key (placeholders allowed); empty: the
     * CloudEvents {@code subject}. A signal without it goes to a partition by its id.
     */
    String partitionKey() default "";

    /**
     * Delay after the first failed attempt of this listener, e.g. {@code "2s"}; empty takes the bus's
     * {@code retry.initial-backoff}. With {@link #maxAttempts()} and the other backoff attributes it is
     * the listener's failure policy. Persistent listeners only.
     */
    String initialBackoff() default "";

    /** Longest delay between attempts, before jitter; empty takes the bus's {@code retry.max-backoff}. */
    String maxBackoff() default "";

    /** Growth of the delay per attempt (at least 1); -1 takes the bus's {@code retry.multiplier}. */
    double backoffMultiplier() default -1;

    /** Random spread of each delay (0 to 1); -1 takes the bus's {@code retry.jitter}. */
    double backoffJitter() default -1;

    /**
     * Whether the listener subscribes when the application starts ({@code "true"} or {@code "false"},
     * placeholders allowed). A listener that does not waits for {@link SignalListenerRegistry#start(String)}.
     */
    String autoStartup() default "true";
}
