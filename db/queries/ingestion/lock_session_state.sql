-- Locks the session row: uploads to one session (any stream) and its completion are serialised.
-- $1 session id, $2 athlete id.
SELECT state FROM sessions WHERE id = $1 AND athlete_id = $2 FOR UPDATE
