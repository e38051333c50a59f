SELECT review, (extract(epoch FROM create_time) * 1000000)::bigint AS create_us FROM plan_reviews WHERE plan_id = $1 ORDER BY create_time, id
