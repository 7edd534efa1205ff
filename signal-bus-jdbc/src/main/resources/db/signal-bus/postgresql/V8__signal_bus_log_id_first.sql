-- Lookups of a signal id in the log (is this id published already? at which position?) are written
-- so that only an index led by the id can serve them (PostgresStatements: the bus is compared outside
-- a subquery that PostgreSQL does not open up). With the bus leading the unique index, as created in
-- V1, that index could serve them only through the bus too, and the primary key (bus, position)
-- competed with it: whenever the statistics made a bus look rare (a bus added since the last
-- ANALYZE, statistics of the log before a truncate), PostgreSQL read every row of the bus for each id
-- looked up, and a transactional publish of 100 signals took a second. ON CONFLICT (bus, signal_id)
-- infers the arbiter index from its columns in any order. One transaction: no publish sees the log
-- without a unique index. It rebuilds the index, and writes to the log wait while it does (1.3 s for a
-- log of 2 million rows on a machine of 2 cores).
ALTER TABLE signal_bus_log DROP CONSTRAINT signal_bus_log_signal_id_uk;
ALTER TABLE signal_bus_log ADD CONSTRAINT signal_bus_log_signal_id_uk UNIQUE (signal_id, bus);
