-- Empty result = not OPEN (already completed) or not found.
UPDATE sessions SET state = 'COMPLETED', complete_time = now()
WHERE id = $1 AND athlete_id = $2 AND state = 'OPEN'
RETURNING id
