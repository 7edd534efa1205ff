package io.signalbus.internal;

import io.signalbus.Checkpoint;
import java.util.ArrayList;
import java.util.List;

/**
 * Moves the stored checkpoint of a subscription (of each of its partitions) while holding their
 * claims, so that no process serving it writes its own checkpoint over the move meanwhile.
 */
final class CheckpointMove {

    private CheckpointMove() {
    }

    /**
     * Claims every record of {@code storeIds}, writes {@code checkpoint} to each, and (if {@code release})
     * gives the claims up again; false, having written nothing, when another process holds one of them.
     * Without {@code release} the claims stay with this process, for its workers to renew.
     */
    static boolean write(WorkerContext context, List<String> storeIds, Checkpoint checkpoint, boolean release) {
        var claims = new ArrayList<SubscriptionClaim>(storeIds.size());
        try {
            for (String storeId : storeIds) {
                var claim = new SubscriptionClaim(context, storeId);
                if (!claim.hold()) {
                    claims.forEach(SubscriptionClaim::release);
                    return false;
                }
                claims.add(claim);
            }
            for (int i = 0; i < storeIds.size(); i++) {
                context.store().saveCheckpoint(context.busName(), storeIds.get(i), claims.get(i).epoch(), checkpoint);
            }
        } finally {
            if (release) {
                claims.forEach(SubscriptionClaim::release);
            }
        }
        return true;
    }
}
