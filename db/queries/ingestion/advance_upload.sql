-- $1 session id, $2 new last sequence, $3 samples added, $4 last offset.
UPDATE sessions SET last_sequence = $2, sample_count = sample_count + $3, last_offset_ms = $4
WHERE id = $1
RETURNING sample_count
