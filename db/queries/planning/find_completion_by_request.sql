SELECT plan_id, log, request_hash = sha256($2) AS same_payload, (extract(epoch FROM create_time) * 1000000)::bigint AS create_us
FROM completion_logs WHERE request_id = $1
