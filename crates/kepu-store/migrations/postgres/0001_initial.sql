-- The same tables as migrations/sqlite after 0002 (the same meaning column for column); only
-- the types differ: BIGINT for every time (ms) and count, identity columns for numbering.

CREATE TABLE venues (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    created_at_ms BIGINT NOT NULL
);

-- kiosks.id is the kiosk's name.
CREATE TABLE kiosks (
    id                            TEXT PRIMARY KEY,
    token_hash                    TEXT NOT NULL UNIQUE,
    created_at_ms                 BIGINT NOT NULL,
    venue_id                      BIGINT REFERENCES venues(id),
    previous_token_hash           TEXT UNIQUE,
    previous_token_valid_until_ms BIGINT,
    revoked_at_ms                 BIGINT,
    last_seen_at_ms               BIGINT,
    app_version                   TEXT,
    clock_untrusted_at_ms         BIGINT
);

-- Partitioned by month of the kiosk's own time of the event (partition_ms: clamped to
-- 2024-01-01 .. 2200-01-01, so every delivery of an event has the same one), so that raw
-- events past their retention are dropped a month at a time instead of vacuumed. Month
-- partitions are made ahead by the server (Store::prepare_partitions); anything else lands
-- in events_default. Identity columns are not allowed on a partitioned table in PostgreSQL
-- 15: the arrival number comes from a sequence.
CREATE SEQUENCE events_arrival_seq AS BIGINT;
CREATE TABLE events (
    arrival             BIGINT NOT NULL DEFAULT nextval('events_arrival_seq'),
    id                  TEXT NOT NULL,
    kiosk_id            TEXT NOT NULL REFERENCES kiosks(id),
    boot_id             TEXT NOT NULL,
    seq                 BIGINT NOT NULL,
    session_id          TEXT,
    event_type          TEXT NOT NULL,
    exhibit_id          TEXT,
    correct             BIGINT,
    occurred_at_ms      BIGINT NOT NULL,
    occurred_at_trusted BIGINT NOT NULL DEFAULT 1,
    received_at_ms      BIGINT NOT NULL,
    body                TEXT NOT NULL,
    partition_ms        BIGINT NOT NULL,
    folded              BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (arrival, partition_ms),
    -- An event's id with its partition key: unique because every delivery of an event carries
    -- the same kiosk time, and so the same partition_ms.
    UNIQUE (id, partition_ms)
) PARTITION BY RANGE (partition_ms);
CREATE TABLE events_default PARTITION OF events DEFAULT;
-- Reports read the roll-ups, so raw events carry no index but their keys and the roll-up's
-- queue of what it has not counted yet: every index is paid for by every insert.
CREATE INDEX events_to_fold ON events (arrival) WHERE folded = 0;

CREATE TABLE rollups (
    rollup_id      TEXT PRIMARY KEY,
    kiosk_id       TEXT NOT NULL REFERENCES kiosks(id),
    hour_start_ms  BIGINT NOT NULL,
    event_type     TEXT NOT NULL,
    exhibit_id     TEXT,
    count          BIGINT NOT NULL,
    correct        BIGINT NOT NULL,
    received_at_ms BIGINT NOT NULL,
    folded         BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX rollups_by_type ON rollups (event_type, exhibit_id);
CREATE INDEX rollups_to_fold ON rollups (received_at_ms) WHERE folded = 0;

CREATE TABLE staff (
    id                     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                   TEXT NOT NULL UNIQUE,
    role                   TEXT NOT NULL CHECK (role IN ('viewer', 'admin')),
    password_hash          TEXT NOT NULL,
    created_at_ms          BIGINT NOT NULL,
    password_changed_at_ms BIGINT NOT NULL
);
