SELECT id, name, (extract(epoch FROM create_time) * 1000000)::bigint AS create_us FROM clinics WHERE request_id = $1
