SELECT id, athlete_id, plan, (extract(epoch FROM create_time) * 1000000)::bigint AS create_us FROM plans WHERE request_id = $1
