-- Keyset pagination, oldest first. $1 clinic, $2/$3 optional cursor (create µs, id), $4 limit.
SELECT id, clinic_id, display_name, role, (extract(epoch FROM create_time) * 1000000)::bigint AS create_us, (extract(epoch FROM disable_time) * 1000000)::bigint AS disable_us
FROM clinicians
WHERE clinic_id = $1
  AND ($2::bigint IS NULL OR (create_time, id) > ('epoch'::timestamptz + $2::bigint * interval '1 microsecond', $3::uuid))
ORDER BY create_time, id
LIMIT $4
