-- The report sums (docs/dashboard.md, "Speed"): the dashboard's atoms summed by local day and
-- by local month, so that a report over 30 days or a year reads thousands of rows instead of
-- millions of atoms. The same tables as migrations/postgres/0008_report_sums.sql.
--
-- Every row is a sum of *adjusted* atoms (each atom adjusted on its own, as Store::atom_sums
-- does) and of their true session counts: a report read from them is the same sum of the same
-- adjusted atoms as one read from the atoms, to the session — privacy is unchanged, and a test
-- holds the two equal. The adjustment depends on k (and its rule) and the days on the district's
-- offset from UTC: report_sums_basis says which the rows were made with, and a server with other settings
-- empties them and builds them again (until then its reports read the atoms).
--
-- level 0: the district (venue_id -1, kiosk_id ''); 1: a venue (kiosk_id ''); 2: a kiosk.
-- span 0: a local day, period = its day number (days since 1970-01-01); span 1: a local month
-- that has ended, period = the day number of its first day. audience and language are both
-- '*' in a row that sums all of them (no audience is '*': the wire's audiences are a closed
-- set), both real otherwise. Derived data, written only by Store::refresh_report_sums.

CREATE TABLE report_sums_basis (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    k             INTEGER NOT NULL,
    utc_offset_ms INTEGER NOT NULL,
    -- The adjustment's rule (report_sums.rs ADJUSTMENT): rows made by another are remade.
    adjustment    INTEGER NOT NULL
);

-- UTC hours whose atoms changed since their sums were made (the roll-up and atom rebuilds
-- queue them); a report reads such an hour's day from the atoms until its sums are remade.
CREATE TABLE report_sums_dirty (
    hour_start_ms INTEGER PRIMARY KEY
) WITHOUT ROWID;
INSERT INTO report_sums_dirty (hour_start_ms)
    SELECT DISTINCT hour_start_ms FROM atom_sessions;
INSERT INTO report_sums_dirty (hour_start_ms)
    SELECT DISTINCT hour_start_ms FROM hourly_events WHERE event_type = 'kiosk_heartbeat'
    ON CONFLICT (hour_start_ms) DO NOTHING;

-- The months (span 1 periods) whose rows are made; a report uses a month only when it is
-- listed and none of its hours is dirty.
CREATE TABLE report_sums_months (
    period INTEGER PRIMARY KEY
) WITHOUT ROWID;

-- One table per atom table, its dimensions after the common key. Read by a range of periods
-- of one level (the primary key) or by one venue or kiosk (the index).
CREATE TABLE sum_sessions (
    level         INTEGER NOT NULL,
    span          INTEGER NOT NULL,
    period        INTEGER NOT NULL,
    venue_id      INTEGER NOT NULL,
    kiosk_id      TEXT NOT NULL,
    audience      TEXT NOT NULL,
    language      TEXT NOT NULL,
    length_bucket INTEGER NOT NULL,
    adjusted      INTEGER NOT NULL,
    sessions      INTEGER NOT NULL,
    PRIMARY KEY (level, span, period, venue_id, kiosk_id, audience, language, length_bucket)
) WITHOUT ROWID;
CREATE INDEX sum_sessions_by_place ON sum_sessions (level, venue_id, kiosk_id, span, period);
CREATE TABLE sum_session_traits (
    level         INTEGER NOT NULL,
    span          INTEGER NOT NULL,
    period        INTEGER NOT NULL,
    venue_id      INTEGER NOT NULL,
    kiosk_id      TEXT NOT NULL,
    audience      TEXT NOT NULL,
    language      TEXT NOT NULL,
    trait         TEXT NOT NULL,
    adjusted      INTEGER NOT NULL,
    sessions      INTEGER NOT NULL,
    PRIMARY KEY (level, span, period, venue_id, kiosk_id, audience, language, trait)
) WITHOUT ROWID;
CREATE INDEX sum_session_traits_by_place ON sum_session_traits (level, venue_id, kiosk_id, span, period);
CREATE TABLE sum_exhibits (
    level         INTEGER NOT NULL,
    span          INTEGER NOT NULL,
    period        INTEGER NOT NULL,
    venue_id      INTEGER NOT NULL,
    kiosk_id      TEXT NOT NULL,
    audience      TEXT NOT NULL,
    language      TEXT NOT NULL,
    exhibit_id    TEXT NOT NULL,
    measure       TEXT NOT NULL,
    adjusted      INTEGER NOT NULL,
    sessions      INTEGER NOT NULL,
    PRIMARY KEY (level, span, period, venue_id, kiosk_id, audience, language, exhibit_id, measure)
) WITHOUT ROWID;
CREATE INDEX sum_exhibits_by_place ON sum_exhibits (level, venue_id, kiosk_id, span, period);
CREATE TABLE sum_answers (
    level         INTEGER NOT NULL,
    span          INTEGER NOT NULL,
    period        INTEGER NOT NULL,
    venue_id      INTEGER NOT NULL,
    kiosk_id      TEXT NOT NULL,
    audience      TEXT NOT NULL,
    language      TEXT NOT NULL,
    exhibit_id    TEXT NOT NULL,
    question_id   TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    adjusted      INTEGER NOT NULL,
    sessions      INTEGER NOT NULL,
    PRIMARY KEY (level, span, period, venue_id, kiosk_id, audience, language, exhibit_id, question_id, outcome)
) WITHOUT ROWID;
CREATE INDEX sum_answers_by_place ON sum_answers (level, venue_id, kiosk_id, span, period);
CREATE TABLE sum_placements (
    level         INTEGER NOT NULL,
    span          INTEGER NOT NULL,
    period        INTEGER NOT NULL,
    venue_id      INTEGER NOT NULL,
    kiosk_id      TEXT NOT NULL,
    audience      TEXT NOT NULL,
    language      TEXT NOT NULL,
    exhibit_id    TEXT NOT NULL,
    item_id       TEXT NOT NULL,
    bin_id        TEXT NOT NULL,
    adjusted      INTEGER NOT NULL,
    sessions      INTEGER NOT NULL,
    PRIMARY KEY (level, span, period, venue_id, kiosk_id, audience, language, exhibit_id, item_id, bin_id)
) WITHOUT ROWID;
CREATE INDEX sum_placements_by_place ON sum_placements (level, venue_id, kiosk_id, span, period);

-- A quiz's item statistics (Store::quiz_item_stats), summed from the sessions' first answers:
-- exact sums over sessions, shown only as a correlation over enough of them (like the answers
-- they are made from). Never '*' rows: the reports read them by audience.
CREATE TABLE sum_item_stats (
    level         INTEGER NOT NULL,
    span          INTEGER NOT NULL,
    period        INTEGER NOT NULL,
    venue_id      INTEGER NOT NULL,
    kiosk_id      TEXT NOT NULL,
    audience      TEXT NOT NULL,
    language      TEXT NOT NULL,
    exhibit_id    TEXT NOT NULL,
    question_id   TEXT NOT NULL,
    answered      INTEGER NOT NULL,
    correct       INTEGER NOT NULL,
    rest          INTEGER NOT NULL,
    rest_squares  INTEGER NOT NULL,
    correct_rest  INTEGER NOT NULL,
    PRIMARY KEY (level, span, period, venue_id, kiosk_id, audience, language, exhibit_id, question_id)
) WITHOUT ROWID;
CREATE INDEX sum_item_stats_by_place ON sum_item_stats (level, venue_id, kiosk_id, span, period);

-- Hours each kiosk was on (an hour with a heartbeat): machines, not visitors, not adjusted.
CREATE TABLE sum_open_hours (
    span     INTEGER NOT NULL,
    period   INTEGER NOT NULL,
    kiosk_id TEXT NOT NULL,
    venue_id INTEGER NOT NULL,
    hours    INTEGER NOT NULL,
    PRIMARY KEY (span, period, kiosk_id, venue_id)
) WITHOUT ROWID;
