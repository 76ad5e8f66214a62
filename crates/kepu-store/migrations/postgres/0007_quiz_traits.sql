-- The dashboard's funnel: two traits of atom_session_traits, `quiz_started` (a question of any
-- quiz answered) and `quiz_completed` (quiz_complete sent for any quiz), kept by the roll-up
-- from each session's facts (src/rollup/members.rs atoms_of). The same statement as
-- migrations/sqlite/0008_quiz_traits.sql.
--
-- Atoms stored before this migration lack them. Their kiosk-hours are queued for a rebuild
-- (Store::rebuild_dirty_atoms counts their atoms again from the sessions' facts), and until
-- then a roll-up pass that touches one rebuilds it whole instead of moving a session's atoms
-- by difference (which would take out trait atoms that were never put in). Only kiosk-hours
-- with a session that answered or completed a quiz: every other one's atoms are the same with
-- the traits as without them.
INSERT INTO atoms_dirty (kiosk_id, hour_start_ms)
    SELECT DISTINCT s.kiosk_id, s.start_hour_ms FROM sessions s
    WHERE EXISTS (SELECT 1 FROM session_exhibits e
                  WHERE e.session_id = s.session_id AND (e.answered > 0 OR e.quiz_completed > 0))
    ON CONFLICT (kiosk_id, hour_start_ms) DO NOTHING;
