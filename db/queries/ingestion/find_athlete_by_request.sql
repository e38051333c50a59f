-- $1 request_id, $2 payload. same_payload tells a true repeat from a conflicting reuse.
SELECT id, request_hash = sha256($2) AS same_payload FROM athletes WHERE request_id = $1
