package io.signalbus.internal;

import io.signalbus.PartitionKey;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's membership among the processes serving one partitioned subscription: a heartbeat in
 * the store (renewed a third into the claim lease, ended by the store's clock as leases are), and from
 * the live members, which partitions this process should serve: rendezvous hashing with bounded
 * loads ({@link #owners}), so the members serve equal shares (a partition more or less) and a member
 * joining or leaving moves about its share. The claims still decide who serves: this only says which
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
        String[] owners = owners(partitions, live);
        boolean[] mine = new boolean[partitions];
        for (int p = 0; p < partitions; p++) {
            mine[p] = owners[p].equals(context.instanceId());
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
     * The owner of each partition: rendezvous hashing with bounded loads. Partition by partition, in
     * order, the members are ranked by the {@link PartitionKey#hash} of {@code "<member>/<partition>"}
     * (highest first, ties by id), and the partition goes to the first one that may take another: one
     * below {@code partitions / members}, or at it while fewer than {@code partitions % members}
     * members have gone above. So every member ends with an equal share, a partition more or less.
     * Plain rendezvous hashing moves only a member's own share on a join or leave, but its shares are
     * uneven (16 partitions over 4 members came out 5/4/4/3, so one instance had a quarter more work
     * than its share); the bound costs a few more partitions moving when members change. Every member
     * computes the same from the same members, whatever the order of the list.
     */
    static String[] owners(int partitions, List<String> members) {
        List<String> sorted = members.stream().sorted().toList();
        int floor = partitions / sorted.size();
        int extra = partitions % sorted.size();
        var load = new int[sorted.size()];
        var owners = new String[partitions];
        for (int partition = 0; partition < partitions; partition++) {
            int chosen = -1;
            long best = 0;
            for (int m = 0; m < sorted.size(); m++) {
                long score = PartitionKey.hash(sorted.get(m) + "/" + partition);
                boolean room = load[m] < floor || (load[m] == floor && extra > 0);
                if (room && (chosen < 0 || score > best)) {
                    chosen = m;
                    best = score;
                }
            }
            if (load[chosen]++ == floor) {
                extra--;
            }
            owners[partition] = sorted.get(chosen);
        }
        return owners;
    }
}
