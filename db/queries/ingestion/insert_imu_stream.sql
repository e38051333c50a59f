INSERT INTO imu_streams (id, session_id, placement, rate_hz, accel_range_g, has_gyroscope, gyro_range_dps)
VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6)
RETURNING id
