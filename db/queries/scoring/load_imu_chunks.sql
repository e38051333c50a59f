-- One sensor's batches in upload order.
SELECT start_offset_us, payload FROM imu_chunks WHERE stream_id = $1 ORDER BY sequence
