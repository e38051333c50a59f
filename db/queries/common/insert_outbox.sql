INSERT INTO outbox (topic, payload) VALUES ($1, $2) RETURNING id
