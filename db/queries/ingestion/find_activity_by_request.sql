SELECT athlete_id, session_id FROM activity_files WHERE request_id = $1
