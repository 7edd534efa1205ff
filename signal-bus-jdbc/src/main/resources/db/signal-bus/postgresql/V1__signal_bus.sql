-- signal-bus schema for PostgreSQL, applied by the starter's own Flyway instance
-- (history table signal_bus_schema_history), never by the application's migrations.
-- Names and ids use the "C" collation: compared byte by byte, which is what they are, and cheaper
-- in every index than a linguistic collation.

-- One row per bus: the last position handed out. Appends increment it in their transaction, so
-- the row lock serialises appends per bus until commit: commit order is position order.
CREATE TABLE signal_bus_head (
    bus      VARCHAR(100) COLLATE "C" NOT NULL,
    position BIGINT                   NOT NULL,
    CONSTRAINT signal_bus_head_pk PRIMARY KEY (bus)
);

-- The append-only log: one row per signal, its CloudEvents JSON envelope as written. The envelope is
-- TEXT rather than JSON/JSONB: the store writes valid JSON, and validating it again costs about a
-- fifth of an append (query it with envelope::jsonb).
CREATE TABLE signal_bus_log (
    bus         VARCHAR(100) COLLATE "C" NOT NULL,
    position    BIGINT                   NOT NULL,
    signal_id   VARCHAR(256) COLLATE "C" NOT NULL,
    type        VARCHAR(255)             NOT NULL,
    recorded_at TIMESTAMP WITH TIME ZONE NOT NULL,
    envelope    TEXT                     NOT NULL,
    CONSTRAINT signal_bus_log_pk PRIMARY KEY (bus, position),
    CONSTRAINT signal_bus_log_signal_id_uk UNIQUE (bus, signal_id)
);

-- StartFrom.at / ReplayOptions.since: the last position recorded before a time.
CREATE INDEX signal_bus_log_recorded_at_ix ON signal_bus_log (bus, recorded_at, position);

CREATE TABLE signal_bus_subscription (
    bus                 VARCHAR(100) COLLATE "C" NOT NULL,
    subscription_id     VARCHAR(200) COLLATE "C" NOT NULL,
    pattern             VARCHAR(255)             NOT NULL,
    checkpoint_position BIGINT                   NOT NULL,
    checkpoint_time     TIMESTAMP WITH TIME ZONE,
    max_in_flight       INTEGER                  NOT NULL,
    max_attempts        INTEGER                  NOT NULL,
    ack_timeout_ms      BIGINT                   NOT NULL,
    priority            INTEGER                  NOT NULL,
    created_at          TIMESTAMP WITH TIME ZONE NOT NULL,
    -- the process that serves the subscription, until its lease runs out (one process at a time)
    owner               VARCHAR(200) COLLATE "C",
    lease_until         TIMESTAMP WITH TIME ZONE,
    CONSTRAINT signal_bus_subscription_pk PRIMARY KEY (bus, subscription_id)
);

-- Failed attempts of signals above the checkpoint, so a restart does not reset retry counts.
CREATE TABLE signal_bus_attempt (
    bus             VARCHAR(100) COLLATE "C" NOT NULL,
    subscription_id VARCHAR(200) COLLATE "C" NOT NULL,
    position        BIGINT                   NOT NULL,
    attempts        INTEGER                  NOT NULL,
    CONSTRAINT signal_bus_attempt_pk PRIMARY KEY (bus, subscription_id, position),
    CONSTRAINT signal_bus_attempt_subscription_fk FOREIGN KEY (bus, subscription_id)
        REFERENCES signal_bus_subscription (bus, subscription_id) ON DELETE CASCADE
);

CREATE TABLE signal_bus_dead_letter (
    bus              VARCHAR(100) COLLATE "C" NOT NULL,
    subscription_id  VARCHAR(200) COLLATE "C" NOT NULL,
    position         BIGINT                   NOT NULL,
    signal_id        VARCHAR(256) COLLATE "C" NOT NULL,
    envelope         TEXT                     NOT NULL,
    attempts         INTEGER                  NOT NULL,
    error_type       VARCHAR(1000)            NOT NULL,
    error_message    TEXT,
    dead_lettered_at TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT signal_bus_dead_letter_pk PRIMARY KEY (bus, subscription_id, position),
    CONSTRAINT signal_bus_dead_letter_subscription_fk FOREIGN KEY (bus, subscription_id)
        REFERENCES signal_bus_subscription (bus, subscription_id) ON DELETE CASCADE
);
