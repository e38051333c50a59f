-- What CreateSession does in the database, for pgbench: the tenancy scope of the transaction
-- (db/queries/common/set_scope.sql; row-level security hides the athlete without it), then the
-- idempotent insert (with the payload hash) returning the stored session, in one transaction.
-- @ATHLETE@ is replaced by bench/run.sh.
BEGIN;
SELECT set_config('gaitkeeper.athlete_id', '@ATHLETE@', true), set_config('gaitkeeper.clinic_id', '', true);
INSERT INTO sessions (id, athlete_id, request_id, request_hash, start_time, duration_s, distance_m,
                      elevation_gain_m, average_heart_rate_bpm, max_heart_rate_bpm, source, device,
                      surface, shoe)
SELECT gen_random_uuid(), a.id, gen_random_uuid(), sha256('\x0a0b0c'::bytea), now() - interval '1 hour',
       NULL, NULL, NULL, NULL, NULL, 1, '', 1, ''
FROM athletes a
WHERE a.id = '@ATHLETE@'
ON CONFLICT (request_id) DO NOTHING
RETURNING id, athlete_id, (extract(epoch FROM start_time) * 1000000)::bigint AS start_us, duration_s, distance_m,
          elevation_gain_m, average_heart_rate_bpm, max_heart_rate_bpm, source, device, surface, shoe, state,
          sport, sample_count, (extract(epoch FROM create_time) * 1000000)::bigint AS create_us,
          (extract(epoch FROM complete_time) * 1000000)::bigint AS complete_us;
COMMIT;
