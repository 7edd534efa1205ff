package io.signalbus.jdbc;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Sequencer}'s backstop: sequences the staged rows no local transaction waits for (staged
 * by another process whose sequencer is late, or by one that died between its commit and
 * sequencing). A walk reads the rows staged before a time page by page in staging order, whatever
 * their bus, and moves their transactions bus by bus in steps bounded like the local ones; it
 * reports them through {@code appendedElsewhere}, so that subscriptions read them.
 */
final class Backstop {

    private static final Logger log = LoggerFactory.getLogger(Backstop.class);

    private final PendingMover mover;
    /** Rows per page of the walk. */
    private final int batch;
    private final Consumer<String> appendedElsewhere;

    Backstop(PendingMover mover, int batch, Consumer<String> appendedElsewhere) {
        this.mover = mover;
        this.batch = batch;
        this.appendedElsewhere = appendedElsewhere;
    }

    /**
     * Moves the rows staged before {@code stagedBefore} whose transactions are not among
     * {@code local} (by bus: their own steps move them), page by page, until a page is not full or
     * {@code closed}. A bus whose step fails is tried again on the next walk.
     */
    void walk(Instant stagedBefore, Function<String, Set<Long>> local, BooleanSupplier closed) {
        long after = Long.MIN_VALUE;
        List<PendingMover.StagedKey> page;
        do {
            page = mover.firstStaged(after, stagedBefore);
            if (!page.isEmpty()) {
                after = page.get(page.size() - 1).seq();
            }
            for (Map.Entry<String, List<List<Long>>> bus : steps(page, local, batch).entrySet()) {
                try {
                    for (List<Long> keys : bus.getValue()) {
                        if (mover.move(bus.getKey(), keys).staged() > 0) {
                            appendedElsewhere.accept(bus.getKey());
                        }
                    }
                } catch (RuntimeException e) {
                    log.warn("signal-bus: could not give positions to signals committed on bus '{}' (retrying): {}",
                            bus.getKey(), JdbcSignalStore.message(e), e);
                }
            }
        } while (page.size() == batch && !closed.getAsBoolean());
    }

    /**
     * The steps for one page of staged rows: by bus, the keys of the transactions not among
     * {@code local}, in staging order, in steps bounded as local ones are
     * ({@link Sequencer#joinsStep}: {@code batch} rows, {@link Sequencer#MAX_STEP_CHARS} bytes of
     * envelopes; a transaction larger than that goes alone). A page shows only part of a transaction
     * whose rows reach past it, so the bounds hold for what it shows: the large transactions a dead
     * process left are split into steps as local ones are, never below one transaction.
     */
    static Map<String, List<List<Long>>> steps(List<PendingMover.StagedKey> page, Function<String, Set<Long>> local,
            int batch) {
        var seenByBus = new LinkedHashMap<String, LinkedHashMap<Long, Seen>>();
        for (PendingMover.StagedKey row : page) {
            seenByBus.computeIfAbsent(row.bus(), bus -> new LinkedHashMap<>())
                    .merge(row.txKey(), new Seen(1, row.envelopeBytes()), Seen::plus);
        }
        var steps = new LinkedHashMap<String, List<List<Long>>>();
        for (Map.Entry<String, LinkedHashMap<Long, Seen>> bus : seenByBus.entrySet()) {
            Set<Long> waiting = local.apply(bus.getKey());
            var busSteps = new ArrayList<List<Long>>();
            var step = new ArrayList<Long>();
            Seen inStep = new Seen(0, 0);
            for (Map.Entry<Long, Seen> key : bus.getValue().entrySet()) {
                Seen seen = key.getValue();
                if (waiting.contains(key.getKey())) {
                    continue;
                }
                if (!Sequencer.joinsStep(batch, inStep.rows(), inStep.bytes(), seen.rows(), seen.bytes())) {
                    busSteps.add(step);
                    step = new ArrayList<>();
                    inStep = new Seen(0, 0);
                }
                step.add(key.getKey());
                inStep = inStep.plus(seen);
            }
            if (!step.isEmpty()) {
                busSteps.add(step);
            }
            if (!busSteps.isEmpty()) {
                steps.put(bus.getKey(), busSteps);
            }
        }
        return steps;
    }

    /** The rows of a transaction a page shows, and their envelopes' bytes. */
    private record Seen(int rows, long bytes) {
        Seen plus(Seen other) {
            return new Seen(rows + other.rows, bytes + other.bytes);
        }
    }
}
