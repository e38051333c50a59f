-- Empty result = request_id already used.
INSERT INTO clinics (id, request_id, name) VALUES (gen_random_uuid(), $1, $2)
ON CONFLICT (request_id) DO NOTHING
RETURNING id, name, (extract(epoch FROM create_time) * 1000000)::bigint AS create_us
