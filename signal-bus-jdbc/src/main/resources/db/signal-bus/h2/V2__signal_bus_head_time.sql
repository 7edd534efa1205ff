-- The time of the last append to the bus. No signal is recorded earlier, so recorded_at never
-- decreases along a bus log even when appends race (publishers take their time before they wait for
-- the head row's lock), and a search of the log by time (StartFrom.at, ReplayOptions.since) is exact.
ALTER TABLE signal_bus_head ADD COLUMN recorded_at TIMESTAMP WITH TIME ZONE;
-- The time before the last append: the append's UPDATE sets it from recorded_at and returns it (an
-- UPDATE returns new values only), so that its rows can be clamped in the same statement.
ALTER TABLE signal_bus_head ADD COLUMN previous_recorded_at TIMESTAMP WITH TIME ZONE;
