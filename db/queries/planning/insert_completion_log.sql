-- Empty result = request_id already used.
INSERT INTO completion_logs (id, plan_id, athlete_id, request_id, request_hash, item_index, category, done_date, log)
VALUES ($1, $2, $3, $4, sha256($5), $6, $7, $8::date, $9)
ON CONFLICT (request_id) DO NOTHING
RETURNING (extract(epoch FROM create_time) * 1000000)::bigint AS create_us
