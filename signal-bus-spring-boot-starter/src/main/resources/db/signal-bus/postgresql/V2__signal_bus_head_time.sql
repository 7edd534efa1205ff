-- The time of the last append to the bus. No signal is recorded earlier, so recorded_at never
-- decreases along a bus log even when appends race (publishers take their time before they wait for
-- the head row's lock), and a search of the log by time (StartFrom.at, ReplayOptions.since) is exact.
ALTER TABLE signal_bus_head ADD COLUMN recorded_at TIMESTAMP WITH TIME ZONE;
