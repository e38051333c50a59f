UPDATE athletes
SET display_name = $2, height_cm = $3, leg_length_cm = $4, body_mass_kg = $5, birth_year = $6, sex = $7,
    dominant_side = $8, painful_side = $9, running_experience_years = $10, weekly_volume_before_pain_km = $11
WHERE id = $1
