-- $1 request_id, $2 payload (hashed), $3..$12 profile, $13 id (the athlete token's subject). Empty result = request_id already used.
INSERT INTO athletes (id, request_id, request_hash, display_name, height_cm, leg_length_cm, body_mass_kg,
                      birth_year, sex, dominant_side, painful_side, running_experience_years,
                      weekly_volume_before_pain_km)
VALUES ($13, $1, sha256($2), $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
ON CONFLICT (request_id) DO NOTHING
RETURNING id
