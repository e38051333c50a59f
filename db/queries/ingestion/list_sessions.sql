-- Keyset pagination, newest first. $1 athlete, $2/$3 optional start range (µs), $4/$5 optional
-- cursor (start µs, id) of the last row of the previous page, $6 limit.
SELECT id, athlete_id, (extract(epoch FROM start_time) * 1000000)::bigint AS start_us, duration_s, distance_m, elevation_gain_m, average_heart_rate_bpm, max_heart_rate_bpm, source, device, surface, shoe, state, sport, sample_count, (extract(epoch FROM create_time) * 1000000)::bigint AS create_us, (extract(epoch FROM complete_time) * 1000000)::bigint AS complete_us
FROM sessions
WHERE athlete_id = $1
  AND ($2::bigint IS NULL OR start_time >= 'epoch'::timestamptz + $2::bigint * interval '1 microsecond')
  AND ($3::bigint IS NULL OR start_time < 'epoch'::timestamptz + $3::bigint * interval '1 microsecond')
  AND ($4::bigint IS NULL OR (start_time, id) < ('epoch'::timestamptz + $4::bigint * interval '1 microsecond', $5::uuid))
ORDER BY start_time DESC, id DESC
LIMIT $6
