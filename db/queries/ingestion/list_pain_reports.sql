-- Keyset pagination, newest report date first. $2/$3 optional cursor (date, id), $4 limit.
SELECT id, athlete_id, session_id, report_date::text AS report_date, pain_during, pain_after, pain_next_morning, location, side, night_pain, rest_pain, swelling, locking, giving_way, (extract(epoch FROM create_time) * 1000000)::bigint AS create_us
FROM pain_reports
WHERE athlete_id = $1
  AND ($2::date IS NULL OR (report_date, id) < ($2::date, $3::uuid))
ORDER BY report_date DESC, id DESC
LIMIT $4
