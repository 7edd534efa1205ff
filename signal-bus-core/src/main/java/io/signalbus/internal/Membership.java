package io.signalbus.internal;

import io.signalbus.PartitionKey;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's membership among the processes serving one partitioned subscription: a heartbeat in
 * the store (renewed a third into the claim lease, ended by the store's clock as leases are), and from
 * the live members, which partitions this process should serve. Each partition goes to the member
 * ranked highest for it by rendezvous hashing ({@link #ownerOf}), so a member joining or leaving moves
 * only the partitions it gains or had. The claims still decide who serves: this only says which
 * partitions a process tries to claim and which it hands off.
 */
final class Membership {

    private static final Logger log = LoggerFactory.getLogger(Membership.class);

    private final WorkerContext context;
    private final String subscriptionId;
    private final int partitions;
    private volatile List<String> members;
    /** Which partitions the members as last seen assign to this process: computed once per change of members. */
    private volatile boolean[] assigned;
    private volatile long nextHeartbeatNanos;
    private long lastHeartbeatNanos;
    private boolean left;

    Membership(WorkerContext context, String subscriptionId, int partitions) {
        this.context = context;
        this.subscriptionId = subscriptionId;
        this.partitions = partitions;
        this.members = List.of(context.instanceId());
        this.assigned = assignment(members);
        this.nextHeartbeatNanos = System.nanoTime();
        this.lastHeartbeatNanos = nextHeartbeatNanos;
    }

    /** Whether this process should serve {@code partition} now; heartbeats first when one is due. */
    boolean assigned(int partition) {
        beatIfDue();
        return assigned[partition];
    }

    private boolean[] assignment(List<String> live) {
        boolean[] mine = new boolean[partitions];
        for (int p = 0; p < partitions; p++) {
            mine[p] = ownerOf(p, live).equals(context.instanceId());
        }
        return mine;
    }

    private void beatIfDue() {
        if (System.nanoTime() - nextHeartbeatNanos < 0) {
            return; // every step of every partition asks: most find the heartbeat not due, without the lock
        }
        synchronized (this) {
            beat();
        }
    }

    private void beat() {
        long now = System.nanoTime();
        if (left || now - nextHeartbeatNanos < 0) {
            return;
        }
        try {
            List<String> live = context.store().heartbeat(context.busName(), subscriptionId, context.instanceId(),
                    context.clock().instant(), context.claimLease());
            if (!live.equals(members)) {
                log.info("subscription '{}' on bus '{}': members are now {}", subscriptionId, context.busName(), live);
            }
            List<String> seen = live.contains(context.instanceId()) ? live : List.of(context.instanceId());
            if (!seen.equals(members)) {
                assigned = assignment(seen);
                members = seen;
            }
            lastHeartbeatNanos = now;
            nextHeartbeatNanos = now + context.claimLease().toNanos() / 3;
        } catch (RuntimeException e) {
            // the store is unreachable: claims cannot change hands through it either; keep the last view
            log.warn("subscription '{}' on bus '{}': heartbeat failed ({}); last members {} seen {} ms ago",
                    subscriptionId, context.busName(), e.getMessage(), members, (now - lastHeartbeatNanos) / 1_000_000);
            nextHeartbeatNanos = now + context.pollInterval().toNanos();
        }
    }

    /** Ends this process's heartbeat, so that the other members take its partitions at once. */
    synchronized void leave() {
        left = true;
        try {
            context.store().leave(context.busName(), subscriptionId, context.instanceId());
        } catch (RuntimeException e) {
            log.warn("subscription '{}' on bus '{}': could not leave; the others take over when the heartbeat ends",
                    subscriptionId, context.busName(), e);
        }
    }

    /**
     * Rendezvous hashing: the member with the highest {@link PartitionKey#hash} of
     * {@code "<member>/<partition>"} (ties by id) owns the partition.
     */
    static String ownerOf(int partition, List<String> members) {
        String owner = members.get(0);
        long best = Long.MIN_VALUE;
        for (String member : members) {
            long score = PartitionKey.hash(member + "/" + partition);
            if (score > best || (score == best && member.compareTo(owner) < 0)) {
                best = score;
                owner = member;
            }
        }
        return owner;
    }
}
