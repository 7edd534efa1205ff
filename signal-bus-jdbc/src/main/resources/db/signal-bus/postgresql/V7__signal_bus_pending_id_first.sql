-- The sequencer's step takes staged rows by transaction key and bus (signal_bus_pending_tx_ix). With
-- the bus leading the unique index on (bus, signal_id), that index also matched the step's
-- "bus = ?" alone, and PostgreSQL chose it whenever the staging table had no statistics (it churns
-- faster than autovacuum gets to it; a new installation has none): then every step read every entry
-- of the bus, deleted rows included until vacuum removes them (in the benchmark 35,000 index entries
-- and 3,000 heap blocks to move 74 rows, 8 ms). Led by the id, the unique index serves lookups by id
-- only, and the key index is the step's only index. ON CONFLICT (bus, signal_id) infers the arbiter
-- index from its columns in any order. One transaction: no publish sees the table without the index.
ALTER TABLE signal_bus_pending DROP CONSTRAINT signal_bus_pending_signal_id_uk;
ALTER TABLE signal_bus_pending ADD CONSTRAINT signal_bus_pending_signal_id_uk UNIQUE (signal_id, bus);
