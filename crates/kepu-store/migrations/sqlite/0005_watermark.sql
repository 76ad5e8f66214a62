-- The roll-up's watermark: the last arrival number counted. On SQLite arrival numbers follow
-- commit order (one writer), so the roll-up moves this instead of rewriting each event's
-- `folded`; events already folded before are behind it. See src/rollup/mod.rs.
CREATE TABLE rollup_watermark (arrival INTEGER NOT NULL);
INSERT INTO rollup_watermark (arrival)
    SELECT COALESCE(MAX(arrival), 0) FROM events WHERE folded <> 0;
-- Every new row has folded = 0 here, so the partial index would hold every row: the watermark
-- range on the primary key replaces it.
DROP INDEX events_to_fold;
