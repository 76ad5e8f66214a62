-- The schema kepu-server made with its own migration runner before it used sqlx's (its
-- versions 1 and 2, recorded in `schema_migrations`). IF NOT EXISTS: a file made by that
-- version already holds these tables and its events; a new file gets them here, and the next
-- migration turns both into today's schema the same way.
CREATE TABLE IF NOT EXISTS kiosks (
    id            TEXT PRIMARY KEY,
    token_hash    TEXT NOT NULL UNIQUE,
    created_at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    id             TEXT PRIMARY KEY,
    kiosk_id       TEXT NOT NULL REFERENCES kiosks(id),
    boot_id        TEXT NOT NULL,
    seq            INTEGER NOT NULL,
    session_id     TEXT,
    event_type     TEXT NOT NULL,
    exhibit_id     TEXT,
    correct        INTEGER,
    occurred_at_ms INTEGER NOT NULL,
    received_at_ms INTEGER NOT NULL,
    body           TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rollups (
    rollup_id      TEXT PRIMARY KEY,
    kiosk_id       TEXT NOT NULL REFERENCES kiosks(id),
    hour_start_ms  INTEGER NOT NULL,
    event_type     TEXT NOT NULL,
    exhibit_id     TEXT,
    count          INTEGER NOT NULL,
    correct        INTEGER NOT NULL,
    received_at_ms INTEGER NOT NULL
);
