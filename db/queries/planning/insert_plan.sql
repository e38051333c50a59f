-- Empty result = request_id already used.
INSERT INTO plans (id, athlete_id, request_id, generator_version, state, start_date, inputs, plan, review_clinic_id)
VALUES ($1, $2, $3, $4, $5, $6::date, $7, $8, $9)
ON CONFLICT (request_id) DO NOTHING
RETURNING (extract(epoch FROM create_time) * 1000000)::bigint AS create_us
