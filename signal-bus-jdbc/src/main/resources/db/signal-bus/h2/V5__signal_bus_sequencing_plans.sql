-- Only the backstop (once per poll interval) still reads staged rows by (bus, seq), and a scan of
-- the small staging table serves it: one index less to write for every transactional publish.
DROP INDEX signal_bus_pending_bus_seq_ix;

-- The sequencer takes (and deletes) the rows of the transactions it knows have committed, by their
-- keys and bus.
DROP INDEX signal_bus_pending_tx_ix;
CREATE INDEX signal_bus_pending_tx_ix ON signal_bus_pending (tx_key, bus);
