SELECT id, state, plan, (extract(epoch FROM create_time) * 1000000)::bigint AS create_us FROM plans WHERE id = $1 AND athlete_id = $2
