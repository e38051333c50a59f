-- The IMU sensors of session $1.
SELECT id, placement, rate_hz, accel_range_g, has_gyroscope FROM imu_streams WHERE session_id = $1 ORDER BY placement
