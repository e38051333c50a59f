-- Longest scored run (km) of athlete $1 in the 30 days before $2 (µs).
SELECT coalesce(max(distance_m), 0) / 1000.0 AS km
FROM gait_scores
WHERE athlete_id = $1
  AND session_start_time >= 'epoch'::timestamptz + $2::bigint * interval '1 microsecond' - interval '30 days'
  AND session_start_time < 'epoch'::timestamptz + $2::bigint * interval '1 microsecond'
