-- $1 id, $2 request_id, $3 payload (hashed), $4 display name, $5 role, $6 clinic. Empty result =
-- request_id already used, or the clinic does not exist.
INSERT INTO clinicians (id, clinic_id, request_id, request_hash, display_name, role)
SELECT $1, c.id, $2, sha256($3), $4, $5 FROM clinics c WHERE c.id = $6
ON CONFLICT (request_id) DO NOTHING
RETURNING id, clinic_id, display_name, role, (extract(epoch FROM create_time) * 1000000)::bigint AS create_us, (extract(epoch FROM disable_time) * 1000000)::bigint AS disable_us
