-- The plan in force: the ACTIVE plan with the latest week (drafts wait for a clinician, rejected
-- ones never count; a plan made later for an earlier week, e.g. after importing an old run, does
-- not replace it).
SELECT id, plan, (extract(epoch FROM create_time) * 1000000)::bigint AS create_us
FROM plans WHERE athlete_id = $1 AND state = 'ACTIVE'
ORDER BY start_date DESC, create_time DESC, id DESC
LIMIT 1
