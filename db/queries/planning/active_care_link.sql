-- The clinic that reviews athlete $1's plans: the oldest active care link (NULL: none).
SELECT clinic_id FROM care_links WHERE athlete_id = $1 AND revoked_time IS NULL ORDER BY granted_time, id LIMIT 1
