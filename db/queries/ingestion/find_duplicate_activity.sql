-- An earlier import of the same activity by athlete $1: same content ($2, sha256) or FIT file_id ($3).
SELECT session_id FROM activity_files
WHERE athlete_id = $1 AND (content_sha256 = $2 OR ($3::text IS NOT NULL AND fit_file_id = $3::text))
ORDER BY create_time
LIMIT 1
