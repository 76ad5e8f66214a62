-- Hourly roll-ups: what every report reads (never a scan of raw events). The roll-up
-- (src/rollup.rs) folds each raw event once (events.folded) and each kiosk roll-up once
-- (rollups.folded), adding to these rows; sums saturate instead of overflowing. '' stands for
-- "none" or "not known" in a key column (no NULLs in keys, so one ON CONFLICT serves both
-- engines). audience and language are the visitor session's at the time of the event.

-- One row per hour x kiosk x exhibit x audience x language x event type.
CREATE TABLE hourly_events (
    hour_start_ms   BIGINT NOT NULL,
    kiosk_id        TEXT NOT NULL REFERENCES kiosks(id),
    venue_id        BIGINT NOT NULL,
    exhibit_id      TEXT NOT NULL,
    audience        TEXT NOT NULL,
    language        TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    events          BIGINT NOT NULL,
    correct         BIGINT NOT NULL,
    -- The event's duration (exhibit_close dwell, session_end length, simulation play time,
    -- quiz answer time): its sum, and how many fell in each bucket (upper bounds 1 s, 2 s, 5 s,
    -- 10 s, 20 s, 30 s, 1 min, 2 min, 5 min, 10 min, 30 min, and beyond), for medians and
    -- survival curves.
    duration_sum_ms BIGINT NOT NULL,
    d00 BIGINT NOT NULL, d01 BIGINT NOT NULL, d02 BIGINT NOT NULL, d03 BIGINT NOT NULL,
    d04 BIGINT NOT NULL, d05 BIGINT NOT NULL, d06 BIGINT NOT NULL, d07 BIGINT NOT NULL,
    d08 BIGINT NOT NULL, d09 BIGINT NOT NULL, d10 BIGINT NOT NULL, d11 BIGINT NOT NULL,
    PRIMARY KEY (hour_start_ms, kiosk_id, exhibit_id, audience, language, event_type)
);
CREATE INDEX hourly_events_by_venue ON hourly_events (venue_id, hour_start_ms);

-- Counts per element of an exhibit: quiz answers per question (element) x choice, sort
-- placements per item x bin (choice), hotspot opens per hotspot, story page views per page,
-- simulation parameter changes per parameter (choice empty for these three).
CREATE TABLE hourly_details (
    hour_start_ms BIGINT NOT NULL,
    kiosk_id      TEXT NOT NULL REFERENCES kiosks(id),
    venue_id      BIGINT NOT NULL,
    exhibit_id    TEXT NOT NULL,
    audience      TEXT NOT NULL,
    language      TEXT NOT NULL,
    event_type    TEXT NOT NULL,
    element       TEXT NOT NULL,
    choice        TEXT NOT NULL,
    count         BIGINT NOT NULL,
    correct       BIGINT NOT NULL,
    PRIMARY KEY (hour_start_ms, kiosk_id, exhibit_id, audience, language, event_type, element, choice)
);

-- One row per visitor session the roll-up has seen: what the session-level reports need
-- (length, exhibits opened, entry and exit exhibit, language, "I am a..."), and what the
-- roll-up needs to attribute a session's later events. Anonymous like the events themselves.
CREATE TABLE sessions (
    session_id        TEXT PRIMARY KEY,
    kiosk_id          TEXT NOT NULL REFERENCES kiosks(id),
    venue_id          BIGINT NOT NULL,
    started_at_ms     BIGINT NOT NULL,
    start_language    TEXT NOT NULL,
    language          TEXT NOT NULL,
    audience          TEXT NOT NULL,
    large_text        BIGINT NOT NULL,
    high_contrast     BIGINT NOT NULL,
    seated            BIGINT NOT NULL,
    exhibits_opened   BIGINT NOT NULL,
    first_exhibit     TEXT NOT NULL,
    last_exhibit      TEXT NOT NULL,
    ended             BIGINT NOT NULL,
    duration_ms       BIGINT NOT NULL,
    end_reason        TEXT NOT NULL,
    events            BIGINT NOT NULL
);
CREATE INDEX sessions_by_start ON sessions (venue_id, started_at_ms);
