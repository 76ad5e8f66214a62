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

CREATE TABLE events (
    arrival             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id                  TEXT NOT NULL UNIQUE,
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
    body                TEXT NOT NULL
);
CREATE INDEX events_by_type ON events (event_type, exhibit_id);
CREATE INDEX events_by_kiosk ON events (kiosk_id, arrival);
CREATE INDEX events_by_occurrence ON events (occurred_at_ms);

CREATE TABLE rollups (
    rollup_id      TEXT PRIMARY KEY,
    kiosk_id       TEXT NOT NULL REFERENCES kiosks(id),
    hour_start_ms  BIGINT NOT NULL,
    event_type     TEXT NOT NULL,
    exhibit_id     TEXT,
    count          BIGINT NOT NULL,
    correct        BIGINT NOT NULL,
    received_at_ms BIGINT NOT NULL
);
CREATE INDEX rollups_by_type ON rollups (event_type, exhibit_id);

CREATE TABLE staff (
    id                     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name                   TEXT NOT NULL UNIQUE,
    role                   TEXT NOT NULL CHECK (role IN ('viewer', 'admin')),
    password_hash          TEXT NOT NULL,
    created_at_ms          BIGINT NOT NULL,
    password_changed_at_ms BIGINT NOT NULL
);
