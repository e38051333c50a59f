-- The stream of placement $2 of session $1, read after lock_session_state (a fresh snapshot, so a
-- concurrent upload's committed batches are seen).
SELECT id AS stream_id, rate_hz, accel_range_g, has_gyroscope, gyro_range_dps, last_sequence, sample_count,
       clipped_count, end_offset_us
FROM imu_streams WHERE session_id = $1 AND placement = $2
