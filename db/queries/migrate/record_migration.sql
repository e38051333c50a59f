INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, sha256(convert_to($3, 'UTF8')))
