-- What a clinician sets for a patient's plans (run cap, excluded exercises, cadence target, a
-- note). One row per athlete; every change also lands in plan_reviews-like history through
-- updated_by/update_time (the previous value is kept in `previous`).
CREATE TABLE clinician_constraints (
  athlete_id   uuid PRIMARY KEY REFERENCES athletes (id),
  constraints  bytea NOT NULL,   -- serialized gaitkeeper.planning.v1.ClinicianConstraints
  previous     bytea,
  updated_by   text NOT NULL,
  update_time  timestamptz NOT NULL DEFAULT now()
);
