SELECT count(*) FROM outbox WHERE topic = $1 AND delivered_time IS NULL
