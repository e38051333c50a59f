SELECT athlete_id, response, (extract(epoch FROM create_time) * 1000000)::bigint AS create_us, request_hash = sha256($2) AS same_payload
FROM questionnaire_responses WHERE request_id = $1
