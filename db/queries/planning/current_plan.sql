-- The plan in force: the newest ACTIVE one (drafts wait for a clinician, rejected ones never count).
SELECT id, plan, (extract(epoch FROM create_time) * 1000000)::bigint AS create_us
FROM plans WHERE athlete_id = $1 AND state = 'ACTIVE'
ORDER BY create_time DESC, id DESC
LIMIT 1
