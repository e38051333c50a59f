SELECT id, athlete_id, request_hash = sha256($2) AS same_payload FROM pain_reports WHERE request_id = $1
