INSERT INTO activity_files (id, athlete_id, session_id, request_id, format, filename, content_sha256, fit_file_id,
                            size_bytes, content)
VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9)
