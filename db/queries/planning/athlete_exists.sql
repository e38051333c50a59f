SELECT height_cm FROM athletes WHERE id = $1
