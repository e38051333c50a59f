-- $1 session id, $2 athlete id. Per-second dynamics chunks in upload order.
SELECT c.payload
FROM session_sample_chunks c JOIN sessions s ON s.id = c.session_id
WHERE c.session_id = $1 AND s.athlete_id = $2 AND c.kind = 1
ORDER BY c.sequence
