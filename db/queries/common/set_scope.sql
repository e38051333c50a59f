-- The tenancy scope of this transaction (migration 0006): $1 athlete id, $2 clinic id ('' = none).
-- Local to the transaction, so a pooled connection never carries it into the next one.
SELECT set_config('gaitkeeper.athlete_id', $1, true), set_config('gaitkeeper.clinic_id', $2, true)
