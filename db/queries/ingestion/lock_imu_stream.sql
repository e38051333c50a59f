-- Locks the session row (serialising uploads and completion) and reads the placement's stream, if
-- any. $1 session, $2 athlete, $3 placement.
SELECT s.state, st.id AS stream_id, st.rate_hz, st.accel_range_g, st.has_gyroscope, st.gyro_range_dps,
       st.last_sequence, st.sample_count, st.clipped_count, st.end_offset_us
FROM sessions s
LEFT JOIN imu_streams st ON st.session_id = s.id AND st.placement = $3
WHERE s.id = $1 AND s.athlete_id = $2
FOR UPDATE OF s
