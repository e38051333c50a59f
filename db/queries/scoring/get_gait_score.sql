-- $1 session, $2 athlete, $3 algorithm version.
SELECT result, (extract(epoch FROM create_time) * 1000000)::bigint AS create_us
FROM gait_scores WHERE session_id = $1 AND athlete_id = $2 AND algorithm_version = $3
