SELECT plan_id FROM plan_reviews WHERE request_id = $1
