-- The newest scored session of athlete $1 that started before $2 (µs: the plan's first day), highest
-- algorithm version first.
SELECT result, (extract(epoch FROM session_start_time) * 1000000)::bigint AS start_us
FROM gait_scores
WHERE athlete_id = $1 AND session_start_time < 'epoch'::timestamptz + $2::bigint * interval '1 microsecond'
ORDER BY session_start_time DESC, algorithm_version DESC
LIMIT 1
