-- Keyset pagination, newest first. $2 instrument (0 = all), $3/$4 optional cursor (date, id), $5 limit.
SELECT id, response_date::text AS response_date, response, (extract(epoch FROM create_time) * 1000000)::bigint AS create_us
FROM questionnaire_responses
WHERE athlete_id = $1
  AND ($2::smallint = 0 OR instrument = $2::smallint)
  AND ($3::date IS NULL OR (response_date, id) < ($3::date, $4::uuid))
ORDER BY response_date DESC, id DESC
LIMIT $5
