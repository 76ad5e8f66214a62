-- The exhibits published to the server (`kepu-server content publish DIR`): what the reports
-- name and measure them by (title, kind, and the whole manifest as JSON: questions and their
-- answers for item analysis, pages for completion). An exhibit no longer in the published
-- folder is marked retired, never deleted: its statistics stay readable.
CREATE TABLE exhibits (
    id              TEXT PRIMARY KEY,
    kind            TEXT NOT NULL,
    title_json      TEXT NOT NULL,
    manifest_json   TEXT NOT NULL,
    published_at_ms INTEGER NOT NULL,
    retired_at_ms   INTEGER
);

-- Exhibit ids kiosks send that are not published (content copied to a kiosk but not to the
-- server, or a typo'd folder): accepted and counted, and shown in kiosk health. Only kept once
-- something is published at all.
CREATE TABLE unknown_exhibits (
    kiosk_id      TEXT NOT NULL REFERENCES kiosks(id),
    exhibit_id    TEXT NOT NULL,
    first_seen_ms INTEGER NOT NULL,
    last_seen_ms  INTEGER NOT NULL,
    events        INTEGER NOT NULL,
    PRIMARY KEY (kiosk_id, exhibit_id)
);
