-- $1 session id, $2 kind. In upload order.
SELECT payload FROM session_sample_chunks WHERE session_id = $1 AND kind = $2 ORDER BY sequence
