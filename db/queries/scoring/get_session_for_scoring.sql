-- $1 session id, $2 athlete id.
SELECT s.state, s.source, (extract(epoch FROM s.start_time) * 1000000)::bigint AS start_us, s.duration_s, s.distance_m, a.height_cm, a.leg_length_cm
FROM sessions s JOIN athletes a ON a.id = s.athlete_id
WHERE s.id = $1 AND s.athlete_id = $2
