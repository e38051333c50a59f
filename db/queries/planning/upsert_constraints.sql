-- $1 athlete, $2 constraints, $3 who. Keeps the value it replaces in `previous`.
INSERT INTO clinician_constraints AS c (athlete_id, constraints, updated_by)
SELECT a.id, $2, $3 FROM athletes a WHERE a.id = $1
ON CONFLICT (athlete_id) DO UPDATE
SET previous = c.constraints, constraints = EXCLUDED.constraints, updated_by = EXCLUDED.updated_by, update_time = now()
RETURNING (extract(epoch FROM update_time) * 1000000)::bigint AS update_us
