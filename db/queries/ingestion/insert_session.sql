-- $1 athlete id, $2 request_id, $3 payload (hashed), $4 start (µs since epoch), $5.. summary.
-- Returns the stored session's columns (as get_session). Empty result = request_id already used,
-- or no such athlete.
INSERT INTO sessions (id, athlete_id, request_id, request_hash, start_time, duration_s, distance_m,
                      elevation_gain_m, average_heart_rate_bpm, max_heart_rate_bpm, source, device,
                      surface, shoe)
SELECT gen_random_uuid(), a.id, $2, sha256($3), 'epoch'::timestamptz + $4::bigint * interval '1 microsecond', $5, $6, $7, $8, $9, $10, $11, $12, $13
FROM athletes a
WHERE a.id = $1
ON CONFLICT (request_id) DO NOTHING
RETURNING id, athlete_id, (extract(epoch FROM start_time) * 1000000)::bigint AS start_us, duration_s, distance_m, elevation_gain_m, average_heart_rate_bpm, max_heart_rate_bpm, source, device, surface, shoe, state, sport, sample_count, (extract(epoch FROM create_time) * 1000000)::bigint AS create_us, (extract(epoch FROM complete_time) * 1000000)::bigint AS complete_us
