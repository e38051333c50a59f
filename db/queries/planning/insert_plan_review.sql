INSERT INTO plan_reviews (id, plan_id, request_id, action, actor, actor_role, reason, review)
VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7)
