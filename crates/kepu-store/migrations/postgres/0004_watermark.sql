-- The roll-up's watermark, the same table as on SQLite. PostgreSQL's arrival numbers do not
-- follow commit order, so here it stays 0 and each event's `folded` marks what is counted.
-- See src/rollup/mod.rs.
CREATE TABLE rollup_watermark (arrival BIGINT NOT NULL);
INSERT INTO rollup_watermark (arrival) VALUES (0);
