-- The staff dashboard's credentials (crates/kepu-store/src/web_sessions.rs, docs/server.md
-- "Signing in").
--
-- Browser sessions: only the SHA-256 of a session id is kept, never the id, so a copy of the
-- database (a backup, a replica) cannot be used to sign in. Rows live in the database rather
-- than in a server's memory so that every instance on one PostgreSQL knows every session.
-- `password_changed_at_ms` is the account's value when the session began: a password change
-- (from the dashboard or the command line) makes the two differ, and the session no longer
-- counts. Removing an account removes its sessions (ON DELETE CASCADE).
CREATE TABLE web_sessions (
    id_hash                TEXT PRIMARY KEY,
    staff_id               INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    csrf_token             TEXT NOT NULL,
    password_changed_at_ms INTEGER NOT NULL,
    created_at_ms          INTEGER NOT NULL,
    last_seen_at_ms        INTEGER NOT NULL
);
CREATE INDEX web_sessions_staff ON web_sessions (staff_id);
CREATE INDEX web_sessions_last_seen ON web_sessions (last_seen_at_ms);

-- Read-only API tokens for scripts (`Authorization: Bearer kepu_ro_…`): only their SHA-256
-- is kept. A revoked token stays listed (who made it, when it was last used); its label may
-- be given to a new token.
CREATE TABLE api_tokens (
    id              INTEGER PRIMARY KEY,
    label           TEXT NOT NULL,
    token_hash      TEXT NOT NULL UNIQUE,
    created_by      TEXT NOT NULL,
    created_at_ms   INTEGER NOT NULL,
    last_used_at_ms INTEGER,
    revoked_at_ms   INTEGER
);
CREATE UNIQUE INDEX api_tokens_active_label ON api_tokens (label) WHERE revoked_at_ms IS NULL;
