-- Venues, kiosk revocation and rotation, staff accounts, and an explicit arrival order for
-- events (nothing may rely on SQLite's rowid). Written to keep every event of an older file.

CREATE TABLE venues (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    created_at_ms INTEGER NOT NULL
);
-- Kiosks registered before venues existed belong to one venue named "default" (rename it with
-- `kepu-server venue rename default <name>`).
INSERT INTO venues (name, created_at_ms)
    SELECT 'default', MIN(created_at_ms) FROM kiosks HAVING COUNT(*) > 0;

-- kiosks.id is the kiosk's name.
ALTER TABLE kiosks ADD COLUMN venue_id INTEGER REFERENCES venues(id);
ALTER TABLE kiosks ADD COLUMN previous_token_hash TEXT;
ALTER TABLE kiosks ADD COLUMN previous_token_valid_until_ms INTEGER;
ALTER TABLE kiosks ADD COLUMN revoked_at_ms INTEGER;
ALTER TABLE kiosks ADD COLUMN last_seen_at_ms INTEGER;
ALTER TABLE kiosks ADD COLUMN app_version TEXT;
ALTER TABLE kiosks ADD COLUMN clock_untrusted_at_ms INTEGER;
UPDATE kiosks SET venue_id = (SELECT id FROM venues WHERE name = 'default');
CREATE UNIQUE INDEX kiosks_by_previous_token ON kiosks (previous_token_hash);

-- Events get an arrival number; the table is rebuilt in arrival (rowid) order.
CREATE TABLE events_v2 (
    -- AUTOINCREMENT: never reused, even once retention has emptied the table (the roll-up's
    -- watermark relies on every new arrival being above every earlier one).
    arrival             INTEGER PRIMARY KEY AUTOINCREMENT,
    id                  TEXT NOT NULL UNIQUE,
    kiosk_id            TEXT NOT NULL REFERENCES kiosks(id),
    boot_id             TEXT NOT NULL,
    seq                 INTEGER NOT NULL,
    session_id          TEXT,
    event_type          TEXT NOT NULL,
    exhibit_id          TEXT,
    correct             INTEGER,
    occurred_at_ms      INTEGER NOT NULL,
    occurred_at_trusted INTEGER NOT NULL DEFAULT 1,
    received_at_ms      INTEGER NOT NULL,
    body                TEXT NOT NULL,
    -- The kiosk's own time of the event, clamped to 2024-01-01 .. 2200-01-01: the same for
    -- every delivery of an event (PostgreSQL partitions by it; here it is only kept alike).
    partition_ms        INTEGER NOT NULL,
    -- 1 once the roll-up has counted it (see the hourly_* tables).
    folded              INTEGER NOT NULL DEFAULT 0
);
INSERT INTO events_v2 (id, kiosk_id, boot_id, seq, session_id, event_type, exhibit_id, correct,
                       occurred_at_ms, received_at_ms, body, partition_ms)
    SELECT id, kiosk_id, boot_id, seq, session_id, event_type, exhibit_id, correct,
           occurred_at_ms, received_at_ms, body,
           MAX(1704067200000, MIN(occurred_at_ms, 7258118400000))
    FROM events ORDER BY rowid;
DROP TABLE events;
ALTER TABLE events_v2 RENAME TO events;
-- Reports read the roll-ups, so raw events carry no index but their keys and the roll-up's
-- queue of what it has not counted yet: every index is paid for by every insert.
CREATE INDEX events_to_fold ON events (arrival) WHERE folded = 0;

DROP INDEX IF EXISTS rollups_by_type;
CREATE INDEX rollups_by_type ON rollups (event_type, exhibit_id);
ALTER TABLE rollups ADD COLUMN folded INTEGER NOT NULL DEFAULT 0;
CREATE INDEX rollups_to_fold ON rollups (received_at_ms) WHERE folded = 0;

CREATE TABLE staff (
    id                     INTEGER PRIMARY KEY,
    name                   TEXT NOT NULL UNIQUE,
    role                   TEXT NOT NULL CHECK (role IN ('viewer', 'admin')),
    password_hash          TEXT NOT NULL,
    created_at_ms          INTEGER NOT NULL,
    password_changed_at_ms INTEGER NOT NULL
);

DROP TABLE IF EXISTS schema_migrations;
