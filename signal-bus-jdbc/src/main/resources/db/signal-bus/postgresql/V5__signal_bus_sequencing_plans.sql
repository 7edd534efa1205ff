-- Plans that stay right while a table is empty or freshly truncated. A prepared statement's generic
-- plan is made once, often while the log is still empty; on an empty table every index on (bus, ...)
-- costs the same, and PostgreSQL could pick the time index for a lookup by signal id, then walk the
-- whole bus for every transactional publish until the next ANALYZE. Made partial, the time index is
-- only a candidate for queries that compare recorded_at (which imply the predicate), never for id
-- lookups.
DROP INDEX signal_bus_log_recorded_at_ix;
CREATE INDEX signal_bus_log_recorded_at_ix ON signal_bus_log (bus, recorded_at, position)
    WHERE recorded_at IS NOT NULL;

-- Only the backstop (once per poll interval) still reads staged rows by (bus, seq), and a scan of
-- the small staging table serves it: one index less to write for every transactional publish.
DROP INDEX signal_bus_pending_bus_seq_ix;

-- The sequencer takes (and deletes) the rows of the transactions it knows have committed, by their
-- keys: with the bus in the key index, that index is the only one that matches both conditions.
DROP INDEX signal_bus_pending_tx_ix;
CREATE INDEX signal_bus_pending_tx_ix ON signal_bus_pending (tx_key, bus);
