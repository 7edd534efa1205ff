-- The sequencer takes (and deletes) the rows of the transactions it knows have committed, by their
-- keys and bus.
DROP INDEX signal_bus_pending_tx_ix;
CREATE INDEX signal_bus_pending_tx_ix ON signal_bus_pending (tx_key, bus);
