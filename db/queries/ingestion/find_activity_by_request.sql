SELECT athlete_id, session_id, content_sha256 FROM activity_files WHERE request_id = $1
