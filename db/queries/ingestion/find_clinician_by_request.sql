-- $1 request_id, $2 payload. same_payload tells a true repeat from a conflicting reuse.
SELECT id, clinic_id, display_name, role, (extract(epoch FROM create_time) * 1000000)::bigint AS create_us, (extract(epoch FROM disable_time) * 1000000)::bigint AS disable_us,
       request_hash = sha256($2) AS same_payload
FROM clinicians WHERE request_id = $1
