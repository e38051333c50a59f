INSERT INTO session_sample_chunks (session_id, kind, sequence, sample_count, first_offset_ms, last_offset_ms, payload)
VALUES ($1, $2, $3, $4, $5, $6, $7)
