-- $1 athlete, $2 clinic, $3 request_id. Empty result = request_id already used, or athlete/clinic
-- unknown. A second active link to the same clinic violates care_links_one_active.
INSERT INTO care_links (id, athlete_id, clinic_id, request_id)
SELECT gen_random_uuid(), a.id, c.id, $3
FROM athletes a, clinics c
WHERE a.id = $1 AND c.id = $2
ON CONFLICT (request_id) DO NOTHING
RETURNING id, athlete_id, clinic_id, (extract(epoch FROM granted_time) * 1000000)::bigint AS grant_us, (extract(epoch FROM revoked_time) * 1000000)::bigint AS revoke_us
