-- The staff dashboard's storage (docs/dashboard.md): per-session facts kept by the roll-up,
-- report metadata from published content, record keys, and the atoms every published count is
-- a sum of. The same tables as migrations/sqlite/0006_reports.sql (which says why each is
-- there); only the types differ. Facts and atoms are derived data, written only by the
-- roll-up: no foreign keys (each would be checked on every row of every pass).

-- A session belongs to the hour it started in (hour_of(started_at_ms), floored also before
-- 1970). record_key: the session's record key (src/rollup/fold.rs record_key), NULL only for
-- sessions stored before this migration until the roll-up's backfill reaches them.
ALTER TABLE sessions ADD COLUMN start_hour_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sessions ADD COLUMN record_key BIGINT;
UPDATE sessions
SET start_hour_ms = started_at_ms - (((started_at_ms % 3600000) + 3600000) % 3600000);
-- The atoms of a kiosk-hour are rebuilt from its sessions; per-session reports (quiz first
-- answers) scan a time range. sessions_by_start (venue, start time) was read by nothing.
DROP INDEX sessions_by_start;
CREATE INDEX sessions_by_kiosk_hour ON sessions (kiosk_id, start_hour_ms);
CREATE INDEX sessions_by_hour ON sessions (start_hour_ms);
-- Empty once the backfill is done: costs nothing on insert (no row qualifies).
CREATE INDEX sessions_without_key ON sessions (session_id) WHERE record_key IS NULL;

-- The newest heartbeat (by the time it occurred) folded for the kiosk: KioskHealth as JSON.
ALTER TABLE kiosks ADD COLUMN last_health_json TEXT;
ALTER TABLE kiosks ADD COLUMN last_heartbeat_at_ms BIGINT;

-- The exhibits on show at a kiosk in an hour (the most any of its heartbeats that hour said):
-- the denominator of "diligent" sessions.
CREATE TABLE kiosk_heartbeat_hours (
    kiosk_id        TEXT NOT NULL,
    hour_start_ms   BIGINT NOT NULL,
    exhibits_loaded BIGINT NOT NULL,
    PRIMARY KEY (kiosk_id, hour_start_ms)
);

-- What one session did at one exhibit. correct_placements and hotspots_opened are distinct
-- counts (items put in their right bin, hotspots opened), recounted from session_placements
-- and session_hotspots: comparable with the exhibit's item and hotspot counts.
CREATE TABLE session_exhibits (
    session_id         TEXT NOT NULL,
    exhibit_id         TEXT NOT NULL,
    opens              BIGINT NOT NULL,
    closes             BIGINT NOT NULL,
    dwell_ms           BIGINT NOT NULL,
    max_page           BIGINT NOT NULL,
    answered           BIGINT NOT NULL,
    quiz_completed     BIGINT NOT NULL,
    correct_placements BIGINT NOT NULL,
    hotspots_opened    BIGINT NOT NULL,
    PRIMARY KEY (session_id, exhibit_id)
);

-- The first answer a session gave to each question (lowest seq: the kiosk's order), never a
-- retake: item analysis reads first attempts. choices: the choice ids in the order given
-- (an ordering question's order), joined with ',' (ids never hold one).
CREATE TABLE session_answers (
    session_id  TEXT NOT NULL,
    exhibit_id  TEXT NOT NULL,
    question_id TEXT NOT NULL,
    seq         BIGINT NOT NULL,
    correct     BIGINT NOT NULL,
    choices     TEXT NOT NULL,
    value       DOUBLE PRECISION,
    answer_ms   BIGINT NOT NULL,
    PRIMARY KEY (session_id, exhibit_id, question_id)
);

-- Sort placements per session, item and bin (correct: how many of them were right).
CREATE TABLE session_placements (
    session_id TEXT NOT NULL,
    exhibit_id TEXT NOT NULL,
    item_id    TEXT NOT NULL,
    bin_id     TEXT NOT NULL,
    placements BIGINT NOT NULL,
    correct    BIGINT NOT NULL,
    PRIMARY KEY (session_id, exhibit_id, item_id, bin_id)
);

-- Hotspots a session opened (each once).
CREATE TABLE session_hotspots (
    session_id TEXT NOT NULL,
    exhibit_id TEXT NOT NULL,
    hotspot_id TEXT NOT NULL,
    PRIMARY KEY (session_id, exhibit_id, hotspot_id)
);

-- From the published manifests (rewritten by publish_exhibits). completion_target: story
-- pages, sort items, hotspots; NULL for a quiz (complete when quiz_complete was sent) and a
-- simulation (never "complete").
CREATE TABLE report_exhibits (
    exhibit_id        TEXT PRIMARY KEY,
    kind              TEXT NOT NULL,
    completion_target BIGINT,
    intended_ms       BIGINT
);
CREATE TABLE report_questions (
    exhibit_id      TEXT NOT NULL,
    question_id     TEXT NOT NULL,
    question_type   TEXT NOT NULL,
    theme           TEXT NOT NULL DEFAULT '',
    estimate_min    DOUBLE PRECISION,
    estimate_max    DOUBLE PRECISION,
    estimate_answer DOUBLE PRECISION,
    PRIMARY KEY (exhibit_id, question_id)
);

-- The record keys' secret: drawn once, never shown.
CREATE TABLE report_secret (
    id     INTEGER PRIMARY KEY CHECK (id = 1),
    secret TEXT NOT NULL
);

-- Kiosk-hours whose atoms must be rebuilt (after a publish changed completion targets or
-- estimate ranges; after this migration, for every session stored before it).
CREATE TABLE atoms_dirty (
    kiosk_id      TEXT NOT NULL,
    hour_start_ms BIGINT NOT NULL,
    PRIMARY KEY (kiosk_id, hour_start_ms)
);
INSERT INTO atoms_dirty (kiosk_id, hour_start_ms)
    SELECT DISTINCT kiosk_id, start_hour_ms FROM sessions;

-- The atoms (docs/dashboard.md, "Privacy"): distinct sessions per cell of the finest grid the
-- reports filter by, and the sum of their record keys (the cell key). Each table is its key
-- alone, led by the hour: every report reads a range of hours (the district's, a venue's or a
-- kiosk's: the venue and kiosk are read from the key), a rebuild deletes one kiosk-hour (hour
-- and kiosk: the key's first two columns), and the roll-up adds to one atom by its whole key.
-- No other index: each would be paid by every atom the roll-up writes.
CREATE TABLE atom_sessions (
    hour_start_ms BIGINT NOT NULL,
    kiosk_id      TEXT NOT NULL,
    venue_id      BIGINT NOT NULL,
    audience      TEXT NOT NULL,
    language      TEXT NOT NULL,
    -- fold::duration_bucket of an ended session's length (0..11); 12: not ended.
    length_bucket BIGINT NOT NULL,
    sessions      BIGINT NOT NULL,
    record_keys   BIGINT NOT NULL,
    PRIMARY KEY (hour_start_ms, kiosk_id, venue_id, audience, language, length_bucket)
);

CREATE TABLE atom_session_traits (
    hour_start_ms BIGINT NOT NULL,
    kiosk_id      TEXT NOT NULL,
    venue_id      BIGINT NOT NULL,
    audience      TEXT NOT NULL,
    language      TEXT NOT NULL,
    trait         TEXT NOT NULL,
    sessions      BIGINT NOT NULL,
    record_keys   BIGINT NOT NULL,
    PRIMARY KEY (hour_start_ms, kiosk_id, venue_id, audience, language, trait)
);

CREATE TABLE atom_exhibits (
    hour_start_ms BIGINT NOT NULL,
    kiosk_id      TEXT NOT NULL,
    venue_id      BIGINT NOT NULL,
    audience      TEXT NOT NULL,
    language      TEXT NOT NULL,
    exhibit_id    TEXT NOT NULL,
    measure       TEXT NOT NULL,
    sessions      BIGINT NOT NULL,
    record_keys   BIGINT NOT NULL,
    PRIMARY KEY (hour_start_ms, kiosk_id, venue_id, audience, language, exhibit_id, measure)
);

CREATE TABLE atom_answers (
    hour_start_ms BIGINT NOT NULL,
    kiosk_id      TEXT NOT NULL,
    venue_id      BIGINT NOT NULL,
    audience      TEXT NOT NULL,
    language      TEXT NOT NULL,
    exhibit_id    TEXT NOT NULL,
    question_id   TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    sessions      BIGINT NOT NULL,
    record_keys   BIGINT NOT NULL,
    PRIMARY KEY (hour_start_ms, kiosk_id, venue_id, audience, language, exhibit_id, question_id, outcome)
);

CREATE TABLE atom_placements (
    hour_start_ms BIGINT NOT NULL,
    kiosk_id      TEXT NOT NULL,
    venue_id      BIGINT NOT NULL,
    audience      TEXT NOT NULL,
    language      TEXT NOT NULL,
    exhibit_id    TEXT NOT NULL,
    item_id       TEXT NOT NULL,
    bin_id        TEXT NOT NULL,
    sessions      BIGINT NOT NULL,
    record_keys   BIGINT NOT NULL,
    PRIMARY KEY (hour_start_ms, kiosk_id, venue_id, audience, language, exhibit_id, item_id, bin_id)
);
