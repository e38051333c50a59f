-- The plan in force before a plan starting on $2: athlete $1's newest ACTIVE plan that started
-- earlier (another plan for the same week is not "last week's").
SELECT id, plan, (extract(epoch FROM create_time) * 1000000)::bigint AS create_us
FROM plans
WHERE athlete_id = $1 AND state = 'ACTIVE' AND start_date < $2::date
ORDER BY start_date DESC, create_time DESC, id DESC
LIMIT 1
