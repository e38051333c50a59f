SELECT pg_advisory_unlock(7262011)
