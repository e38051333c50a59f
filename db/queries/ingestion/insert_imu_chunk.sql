INSERT INTO imu_chunks (stream_id, sequence, start_offset_us, sample_count, payload) VALUES ($1, $2, $3, $4, $5)
