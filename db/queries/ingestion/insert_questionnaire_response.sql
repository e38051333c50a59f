-- Empty result = request_id already used, or no such athlete.
INSERT INTO questionnaire_responses (id, athlete_id, request_id, request_hash, instrument, response_date, response)
SELECT $1, a.id, $3, sha256($4), $5, $6::date, $7 FROM athletes a WHERE a.id = $2
ON CONFLICT (request_id) DO NOTHING
RETURNING (extract(epoch FROM create_time) * 1000000)::bigint AS create_us
