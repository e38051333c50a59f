-- Empty result = this session was already scored with this algorithm version.
INSERT INTO gait_scores (id, session_id, athlete_id, algorithm_version, session_start_time,
                         cadence_spm, step_length_m, speed_mps, distance_m, duration_s, result)
VALUES (gen_random_uuid(), $1, $2, $3, 'epoch'::timestamptz + $4::bigint * interval '1 microsecond', $5, $6, $7, $8, $9, $10)
ON CONFLICT (session_id, algorithm_version) DO NOTHING
RETURNING id
