-- Keyset pagination, newest first. $2/$3 optional cursor (create µs, id), $4 limit, $5 state or NULL.
SELECT id, plan, (extract(epoch FROM create_time) * 1000000)::bigint AS create_us
FROM plans
WHERE athlete_id = $1
  AND ($5::text IS NULL OR state = $5::text)
  AND ($2::bigint IS NULL OR (create_time, id) < ('epoch'::timestamptz + $2::bigint * interval '1 microsecond', $3::uuid))
ORDER BY create_time DESC, id DESC
LIMIT $4
