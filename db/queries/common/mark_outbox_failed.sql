-- $2 seconds until the next attempt, $3 error code and message (never a payload).
UPDATE outbox SET next_attempt_time = now() + make_interval(secs => $2), last_error = $3 WHERE id = $1
