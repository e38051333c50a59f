-- Athlete $1's newest 30 scores of algorithm version $2.
SELECT result, (extract(epoch FROM create_time) * 1000000)::bigint AS create_us
FROM gait_scores WHERE athlete_id = $1 AND algorithm_version = $2
ORDER BY session_start_time DESC, id DESC
LIMIT 30
