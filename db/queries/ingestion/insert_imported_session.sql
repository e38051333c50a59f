-- A COMPLETED session from a file. $1 athlete, $2 request_id, $3 content sha256, $4 start (µs),
-- $5.. summary, $12 sport, $13 samples, $14 chunks, $15 last offset (ms).
INSERT INTO sessions (id, athlete_id, request_id, request_hash, start_time, duration_s, distance_m,
                      elevation_gain_m, average_heart_rate_bpm, max_heart_rate_bpm, device, surface, shoe,
                      sport, source, state, complete_time, sample_count, last_sequence, last_offset_ms)
VALUES (gen_random_uuid(), $1, $2, $3, 'epoch'::timestamptz + $4::bigint * interval '1 microsecond', $5, $6, $7, $8, $9, $10, $11, $16,
        $12, 5, 'COMPLETED', now(), $13, $14, $15)
RETURNING id
