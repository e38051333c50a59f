-- Revokes once; revoking again returns the link unchanged.
UPDATE care_links SET revoked_time = coalesce(revoked_time, now())
WHERE id = $1 AND athlete_id = $2
RETURNING id, athlete_id, clinic_id, (extract(epoch FROM granted_time) * 1000000)::bigint AS grant_us, (extract(epoch FROM revoked_time) * 1000000)::bigint AS revoke_us
