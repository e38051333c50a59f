-- A clinic's care links (active and revoked), newest grant first. $1 clinic, $2/$3 optional cursor
-- (grant µs, id), $4 limit.
SELECT id, athlete_id, clinic_id, (extract(epoch FROM granted_time) * 1000000)::bigint AS grant_us, (extract(epoch FROM revoked_time) * 1000000)::bigint AS revoke_us
FROM care_links
WHERE clinic_id = $1
  AND ($2::bigint IS NULL OR (granted_time, id) < ('epoch'::timestamptz + $2::bigint * interval '1 microsecond', $3::uuid))
ORDER BY granted_time DESC, id DESC
LIMIT $4
