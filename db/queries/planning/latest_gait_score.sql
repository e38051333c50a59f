-- The newest scored session of the athlete ($1), highest algorithm version first.
SELECT result, (extract(epoch FROM session_start_time) * 1000000)::bigint AS start_us
FROM gait_scores WHERE athlete_id = $1
ORDER BY session_start_time DESC, algorithm_version DESC
LIMIT 1
