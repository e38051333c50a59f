-- $1 stream, $2 sequence, $3 samples added, $4 clipped samples added, $5 new end offset (µs).
UPDATE imu_streams
SET last_sequence = $2, sample_count = sample_count + $3, clipped_count = clipped_count + $4, end_offset_us = $5
WHERE id = $1
RETURNING sample_count, clipped_count
