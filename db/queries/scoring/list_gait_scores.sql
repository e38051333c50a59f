-- Keyset pagination, newest session first. $2 algorithm version, $3/$4 optional cursor, $5 limit.
SELECT id, (extract(epoch FROM session_start_time) * 1000000)::bigint AS start_us, result, (extract(epoch FROM create_time) * 1000000)::bigint AS create_us
FROM gait_scores
WHERE athlete_id = $1 AND algorithm_version = $2
  AND ($3::bigint IS NULL OR (session_start_time, id) < ('epoch'::timestamptz + $3::bigint * interval '1 microsecond', $4::uuid))
ORDER BY session_start_time DESC, id DESC
LIMIT $5
