CREATE TABLE IF NOT EXISTS schema_migrations (
  version       integer PRIMARY KEY,
  name          text NOT NULL,
  checksum      bytea NOT NULL,
  applied_time  timestamptz NOT NULL DEFAULT now()
)
