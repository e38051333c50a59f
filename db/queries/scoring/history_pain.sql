-- Athlete $1's pain reports of the 180 days before $2 (µs), with the start of the session each
-- is about (NULL for daily check-ins).
SELECT (p.report_date - date '1970-01-01')::bigint * 86400 AS date_s, p.pain_during, p.pain_after,
       p.pain_next_morning, (extract(epoch FROM s.start_time))::bigint AS session_start_s
FROM pain_reports p
LEFT JOIN sessions s ON s.id = p.session_id
WHERE p.athlete_id = $1
  AND p.report_date >= ('epoch'::timestamptz + $2::bigint * interval '1 microsecond' - interval '180 days')::date
ORDER BY p.report_date, p.create_time
