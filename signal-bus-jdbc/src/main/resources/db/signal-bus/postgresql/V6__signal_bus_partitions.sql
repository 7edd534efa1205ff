-- A persistent subscription may be split into partitions (fixed when it is created). Each partition is
-- stored as a subscription row of its own, id '<subscription id>/<n>', with its own checkpoint, claim,
-- epoch, attempts and dead letters; the subscription's own row then holds its settings and this count.
ALTER TABLE signal_bus_subscription ADD COLUMN partitions INTEGER DEFAULT 1 NOT NULL;

-- The processes serving a partitioned subscription, each until its heartbeat ends (on the database's
-- clock). The live ones divide the partitions among them by rendezvous hashing; rows whose heartbeat
-- ended are deleted by the next heartbeat of the subscription.
CREATE TABLE signal_bus_member (
    bus             VARCHAR(100) COLLATE "C" NOT NULL,
    subscription_id VARCHAR(200) COLLATE "C" NOT NULL,
    member          VARCHAR(200) COLLATE "C" NOT NULL,
    lease_until     TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT signal_bus_member_pk PRIMARY KEY (bus, subscription_id, member)
);
