SELECT state, last_sequence, sample_count FROM sessions WHERE id = $1 AND athlete_id = $2
