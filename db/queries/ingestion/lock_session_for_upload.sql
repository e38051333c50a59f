-- Serialises concurrent uploads to one session. $1 session id, $2 athlete id.
SELECT state, last_sequence, sample_count, last_offset_ms
FROM sessions WHERE id = $1 AND athlete_id = $2
FOR UPDATE
