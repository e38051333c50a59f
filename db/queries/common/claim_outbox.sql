-- Leases up to $2 due messages of topic $1 for $3 seconds (so a crashed dispatcher's messages
-- come back), counting the attempt. SKIP LOCKED lets several dispatchers share a topic.
UPDATE outbox
SET attempts = attempts + 1, next_attempt_time = now() + make_interval(secs => $3)
WHERE id IN (SELECT id FROM outbox
             WHERE topic = $1 AND delivered_time IS NULL AND next_attempt_time <= now()
             ORDER BY id
             LIMIT $2
             FOR UPDATE SKIP LOCKED)
RETURNING id, payload, attempts
