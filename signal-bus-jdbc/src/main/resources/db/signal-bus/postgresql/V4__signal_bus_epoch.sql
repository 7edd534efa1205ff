-- The fencing token of a subscription's claim: incremented by every claim that is not a renewal by
-- the owner of a lease not yet ended (the claim changes hands, is taken after a release or after its
-- lease ended). Checkpoint, attempt and dead-letter writes carry the epoch of the writer's claim and
-- change nothing unless it is still this one, so a process that lost its claim cannot write.
ALTER TABLE signal_bus_subscription ADD COLUMN epoch BIGINT DEFAULT 0 NOT NULL;
