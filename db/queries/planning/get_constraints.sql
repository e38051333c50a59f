SELECT constraints, updated_by, (extract(epoch FROM update_time) * 1000000)::bigint AS update_us
FROM clinician_constraints WHERE athlete_id = $1
