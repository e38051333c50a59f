-- Disables once; disabling again returns the clinician unchanged. $1 clinician, $2 clinic.
UPDATE clinicians SET disable_time = coalesce(disable_time, now())
WHERE id = $1 AND clinic_id = $2
RETURNING id, clinic_id, display_name, role, (extract(epoch FROM create_time) * 1000000)::bigint AS create_us, (extract(epoch FROM disable_time) * 1000000)::bigint AS disable_us
