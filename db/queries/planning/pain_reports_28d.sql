-- Athlete $1's pain reports dated in the 28 days up to $2 (inclusive), with the distance (km) of
-- the run each is about (NULL for daily check-ins), oldest first.
SELECT p.report_date::text AS report_date, p.pain_during, p.pain_after, p.pain_next_morning, p.night_pain,
       p.rest_pain, p.swelling, p.locking, p.giving_way, s.distance_m / 1000.0 AS session_km
FROM pain_reports p
LEFT JOIN sessions s ON s.id = p.session_id
WHERE p.athlete_id = $1 AND p.report_date > $2::date - 28 AND p.report_date <= $2::date
ORDER BY p.report_date, p.create_time
