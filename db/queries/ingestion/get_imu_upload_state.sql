SELECT s.state, coalesce(st.last_sequence, 0) AS last_sequence, coalesce(st.sample_count, 0) AS sample_count
FROM sessions s
LEFT JOIN imu_streams st ON st.session_id = s.id AND st.placement = $3
WHERE s.id = $1 AND s.athlete_id = $2
