-- The report sums (docs/dashboard.md, "Speed"): the dashboard's atoms summed by local day and
-- by local month, so that a report over 30 days or a year reads thousands of rows instead of
-- millions of atoms. The same tables as migrations/sqlite/0009_report_sums.sql.
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
    id            BIGINT PRIMARY KEY CHECK (id = 1),
    k             BIGINT NOT NULL,
    utc_offset_ms BIGINT NOT NULL,
    -- The adjustment's rule (report_sums.rs ADJUSTMENT): rows made by another are remade.
    adjustment    BIGINT NOT NULL
);

-- UTC hours whose atoms changed since their sums were made (the roll-up and atom rebuilds
-- queue them); a report reads such an hour's day from the atoms until its sums are remade.
CREATE TABLE report_sums_dirty (
    hour_start_ms BIGINT PRIMARY KEY
);
INSERT INTO report_sums_dirty (hour_start_ms)
    SELECT DISTINCT hour_start_ms FROM atom_sessions;
INSERT INTO report_sums_dirty (hour_start_ms)
    SELECT DISTINCT hour_start_ms FROM hourly_events WHERE event_type = 'kiosk_heartbeat'
    ON CONFLICT (hour_start_ms) DO NOTHING;

-- The months (span 1 periods) whose rows are made; a report uses a month only when it is
-- listed and none of its hours is dirty.
CREATE TABLE report_sums_months (
    period BIGINT PRIMARY KEY
);

-- One table per atom table, its dimensions after the common key. Read by a range of periods
-- of one level (the primary key) or by one venue or kiosk (the index).
CREATE TABLE sum_sessions (
    level         BIGINT NOT NULL,
    span          BIGINT NOT NULL,
    period        BIGINT NOT NULL,
    venue_id      BIGINT NOT NULL,
    kiosk_id      TEXT NOT NULL,
    audience      TEXT NOT NULL,
    language      TEXT NOT NULL,
    length_bucket BIGINT NOT NULL,
    adjusted      BIGINT NOT NULL,
    sessions      BIGINT NOT NULL,
    PRIMARY KEY (level, span, period, venue_id, kiosk_id, audience, language, length_bucket)
);
CREATE INDEX sum_sessions_by_place ON sum_sessions (level, venue_id, kiosk_id, span, period);
CREATE TABLE sum_session_traits (
    level         BIGINT NOT NULL,
    span          BIGINT NOT NULL,
    period        BIGINT NOT NULL,
    venue_id      BIGINT NOT NULL,
    kiosk_id      TEXT NOT NULL,
    audience      TEXT NOT NULL,
    language      TEXT NOT NULL,
    trait         TEXT NOT NULL,
    adjusted      BIGINT NOT NULL,
    sessions      BIGINT NOT NULL,
    PRIMARY KEY (level, span, period, venue_id, kiosk_id, audience, language, trait)
);
CREATE INDEX sum_session_traits_by_place ON sum_session_traits (level, venue_id, kiosk_id, span, period);
CREATE TABLE sum_exhibits (
    level         BIGINT NOT NULL,
    span          BIGINT NOT NULL,
    period        BIGINT NOT NULL,
    venue_id      BIGINT NOT NULL,
    kiosk_id      TEXT NOT NULL,
    audience      TEXT NOT NULL,
    language      TEXT NOT NULL,
    exhibit_id    TEXT NOT NULL,
    measure       TEXT NOT NULL,
    adjusted      BIGINT NOT NULL,
    sessions      BIGINT NOT NULL,
    PRIMARY KEY (level, span, period, venue_id, kiosk_id, audience, language, exhibit_id, measure)
);
CREATE INDEX sum_exhibits_by_place ON sum_exhibits (level, venue_id, kiosk_id, span, period);
CREATE TABLE sum_answers (
    level         BIGINT NOT NULL,
    span          BIGINT NOT NULL,
    period        BIGINT NOT NULL,
    venue_id      BIGINT NOT NULL,
    kiosk_id      TEXT NOT NULL,
    audience      TEXT NOT NULL,
    language      TEXT NOT NULL,
    exhibit_id    TEXT NOT NULL,
    question_id   TEXT NOT NULL,
    outcome       TEXT NOT NULL,
    adjusted      BIGINT NOT NULL,
    sessions      BIGINT NOT NULL,
    PRIMARY KEY (level, span, period, venue_id, kiosk_id, audience, language, exhibit_id, question_id, outcome)
);
CREATE INDEX sum_answers_by_place ON sum_answers (level, venue_id, kiosk_id, span, period);
CREATE TABLE sum_placements (
    level         BIGINT NOT NULL,
    span          BIGINT NOT NULL,
    period        BIGINT NOT NULL,
    venue_id      BIGINT NOT NULL,
    kiosk_id      TEXT NOT NULL,
    audience      TEXT NOT NULL,
    language      TEXT NOT NULL,
    exhibit_id    TEXT NOT NULL,
    item_id       TEXT NOT NULL,
    bin_id        TEXT NOT NULL,
    adjusted      BIGINT NOT NULL,
    sessions      BIGINT NOT NULL,
    PRIMARY KEY (level, span, period, venue_id, kiosk_id, audience, language, exhibit_id, item_id, bin_id)
);
CREATE INDEX sum_placements_by_place ON sum_placements (level, venue_id, kiosk_id, span, period);

-- A quiz's item statistics (Store::quiz_item_stats), summed from the sessions' first answers:
-- exact sums over sessions, shown only as a correlation over enough of them (like the answers
-- they are made from). Never '*' rows: the reports read them by audience.
CREATE TABLE sum_item_stats (
    level         BIGINT NOT NULL,
    span          BIGINT NOT NULL,
    period        BIGINT NOT NULL,
    venue_id      BIGINT NOT NULL,
    kiosk_id      TEXT NOT NULL,
    audience      TEXT NOT NULL,
    language      TEXT NOT NULL,
    exhibit_id    TEXT NOT NULL,
    question_id   TEXT NOT NULL,
    answered      BIGINT NOT NULL,
    correct       BIGINT NOT NULL,
    rest          BIGINT NOT NULL,
    rest_squares  BIGINT NOT NULL,
    correct_rest  BIGINT NOT NULL,
    PRIMARY KEY (level, span, period, venue_id, kiosk_id, audience, language, exhibit_id, question_id)
);
CREATE INDEX sum_item_stats_by_place ON sum_item_stats (level, venue_id, kiosk_id, span, period);

-- Hours each kiosk was on (an hour with a heartbeat): machines, not visitors, not adjusted.
CREATE TABLE sum_open_hours (
    span     BIGINT NOT NULL,
    period   BIGINT NOT NULL,
    kiosk_id TEXT NOT NULL,
    venue_id BIGINT NOT NULL,
    hours    BIGINT NOT NULL,
    PRIMARY KEY (span, period, kiosk_id, venue_id)
);
