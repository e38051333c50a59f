-- Pain reports of athlete $1 dated within 14 days before $2 (inclusive), newest first.
SELECT report_date::text AS report_date, pain_during, pain_after, pain_next_morning,
       night_pain, rest_pain, swelling, locking, giving_way
FROM pain_reports
WHERE athlete_id = $1 AND report_date > $2::date - 14 AND report_date <= $2::date
ORDER BY report_date DESC, create_time DESC
LIMIT 50
