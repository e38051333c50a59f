-- Session-level advisory lock: concurrent migrators queue here instead of racing.
SELECT pg_advisory_lock(7262011)
