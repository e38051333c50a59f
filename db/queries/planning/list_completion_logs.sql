SELECT log FROM completion_logs WHERE plan_id = $1 ORDER BY done_date, create_time
