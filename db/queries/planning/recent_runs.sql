-- Athlete $1's scored runs (newest algorithm version per session) of the 30 days before $2 (µs).
SELECT DISTINCT ON (session_id) (session_start_time AT TIME ZONE 'UTC')::date::text AS run_date,
       coalesce(distance_m, 0) / 1000.0 AS km, coalesce(duration_s, 0) AS seconds
FROM gait_scores
WHERE athlete_id = $1
  AND session_start_time >= 'epoch'::timestamptz + $2::bigint * interval '1 microsecond' - interval '30 days'
  AND session_start_time < 'epoch'::timestamptz + $2::bigint * interval '1 microsecond'
ORDER BY session_id, algorithm_version DESC
