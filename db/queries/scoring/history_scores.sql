-- Athlete $1's scores of algorithm version $2 for sessions that started in the 60 days before
-- $3 (µs), excluding session $4: the history baselines, spikes and training load come from.
SELECT result, (extract(epoch FROM session_start_time) * 1000000)::bigint AS start_us, distance_m, duration_s
FROM gait_scores
WHERE athlete_id = $1 AND algorithm_version = $2 AND session_id <> $4
  AND session_start_time < 'epoch'::timestamptz + $3::bigint * interval '1 microsecond'
  AND session_start_time >= 'epoch'::timestamptz + $3::bigint * interval '1 microsecond' - interval '60 days'
ORDER BY session_start_time
