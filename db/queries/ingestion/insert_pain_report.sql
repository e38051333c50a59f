-- $1 athlete, $2 request_id, $3 session (nullable; must belong to the athlete), $4 payload,
-- $5 date, $6..$8 pain, $9 location, $10 side, $11..$15 red flags (night, rest, swelling, locking,
-- giving way). Empty = request_id used, or athlete/session unknown.
INSERT INTO pain_reports (id, athlete_id, session_id, request_id, request_hash, report_date,
                          pain_during, pain_after, pain_next_morning, location, side,
                          night_pain, rest_pain, swelling, locking, giving_way)
SELECT gen_random_uuid(), a.id, $3, $2, sha256($4), $5::date, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15
FROM athletes a
WHERE a.id = $1
  AND ($3::uuid IS NULL OR EXISTS (SELECT 1 FROM sessions s WHERE s.id = $3 AND s.athlete_id = a.id))
ON CONFLICT (request_id) DO NOTHING
RETURNING id
