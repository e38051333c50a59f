-- Newest first. $1 athlete or $2 actor clinic (one is NULL), $3/$4 optional cursor (event µs, id),
-- $5 limit.
SELECT id, (extract(epoch FROM event_time) * 1000000)::bigint AS event_us, actor, actor_role, actor_clinic_id,
       athlete_id, service, method, resource, outcome
FROM audit_events
WHERE ($1::uuid IS NULL OR athlete_id = $1::uuid)
  AND ($2::uuid IS NULL OR actor_clinic_id = $2::uuid)
  AND ($3::bigint IS NULL OR (event_time, id) < ('epoch'::timestamptz + $3::bigint * interval '1 microsecond', $4::uuid))
ORDER BY event_time DESC, id DESC
LIMIT $5
