-- As on PostgreSQL (see its V7): the unique index on staged ids is led by the id, so that only the
-- transaction key index matches the sequencer's lookup by key and bus.
ALTER TABLE signal_bus_pending DROP CONSTRAINT signal_bus_pending_signal_id_uk;
ALTER TABLE signal_bus_pending ADD CONSTRAINT signal_bus_pending_signal_id_uk UNIQUE (signal_id, bus);
