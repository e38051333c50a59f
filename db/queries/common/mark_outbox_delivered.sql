UPDATE outbox SET delivered_time = now(), last_error = NULL WHERE id = $1
