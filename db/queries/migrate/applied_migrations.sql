-- $1 the text of migration version $2 as the binary knows it: same_text = it was not edited.
SELECT version, name, checksum = sha256(convert_to($1, 'UTF8')) AS same_text
FROM schema_migrations WHERE version = $2
