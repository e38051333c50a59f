SELECT height_cm, painful_side FROM athletes WHERE id = $1
