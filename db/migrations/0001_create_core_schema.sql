-- Core schema of Gaitkeeper: athletes, sessions, sample chunks, pain reports, gait scores, plans,
-- and the outbox that carries hand-offs between services durably.
-- Owned by the migration role; the application role (gaitkeeper_app) only gets DML grants
-- (given by the migrate command after every run, see services/common/db/migrator.cc).

CREATE TABLE athletes (
  id                            uuid PRIMARY KEY,
  request_id                    uuid NOT NULL UNIQUE,
  -- sha256 of the create payload: a reused request_id with another payload is refused.
  request_hash                  bytea NOT NULL,
  display_name                  text NOT NULL DEFAULT '' CHECK (length(display_name) <= 200),
  height_cm                     real CHECK (height_cm BETWEEN 100 AND 250),
  leg_length_cm                 real CHECK (leg_length_cm BETWEEN 50 AND 140),
  body_mass_kg                  real CHECK (body_mass_kg BETWEEN 25 AND 250),
  birth_year                    integer CHECK (birth_year BETWEEN 1900 AND 2100),
  sex                           smallint NOT NULL DEFAULT 0,
  dominant_side                 smallint NOT NULL DEFAULT 0,
  painful_side                  smallint NOT NULL DEFAULT 0,
  running_experience_years      real CHECK (running_experience_years BETWEEN 0 AND 80),
  weekly_volume_before_pain_km  real CHECK (weekly_volume_before_pain_km BETWEEN 0 AND 300),
  create_time                   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
  id                      uuid PRIMARY KEY,
  athlete_id              uuid NOT NULL REFERENCES athletes (id),
  request_id              uuid NOT NULL UNIQUE,
  request_hash            bytea NOT NULL,
  start_time              timestamptz NOT NULL,
  duration_s              real CHECK (duration_s >= 0),
  distance_m              real CHECK (distance_m >= 0),
  elevation_gain_m        real,
  average_heart_rate_bpm  real,
  max_heart_rate_bpm      real,
  source                  smallint NOT NULL DEFAULT 0,
  device                  text NOT NULL DEFAULT '',
  surface                 smallint NOT NULL DEFAULT 0,
  shoe                    text NOT NULL DEFAULT '',
  state                   text NOT NULL DEFAULT 'OPEN' CHECK (state IN ('OPEN', 'COMPLETED')),
  -- Highest committed upload batch (0 = none) and the samples stored so far.
  last_sequence           bigint NOT NULL DEFAULT 0,
  sample_count            bigint NOT NULL DEFAULT 0,
  -- Offset of the newest stored sample: offsets must keep increasing across batches.
  last_offset_ms          bigint,
  create_time             timestamptz NOT NULL DEFAULT now(),
  complete_time           timestamptz
);
CREATE INDEX sessions_by_athlete_start ON sessions (athlete_id, start_time DESC, id DESC);

-- One row per uploaded batch: a columnar chunk (gaitkeeper.common.v1.DynamicsChunk), so a whole
-- session loads with one index range scan of a few rows instead of thousands.
CREATE TABLE session_sample_chunks (
  session_id       uuid NOT NULL REFERENCES sessions (id),
  -- 1 = per-second running dynamics (raw IMU streams get their own kind later).
  kind             smallint NOT NULL,
  sequence         bigint NOT NULL CHECK (sequence > 0),
  sample_count     integer NOT NULL CHECK (sample_count > 0),
  first_offset_ms  bigint NOT NULL,
  last_offset_ms   bigint NOT NULL,
  payload          bytea NOT NULL,
  create_time      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (session_id, kind, sequence)
);

CREATE TABLE pain_reports (
  id                 uuid PRIMARY KEY,
  athlete_id         uuid NOT NULL REFERENCES athletes (id),
  session_id         uuid REFERENCES sessions (id),
  request_id         uuid NOT NULL UNIQUE,
  request_hash       bytea NOT NULL,
  report_date        date NOT NULL,
  pain_during        smallint CHECK (pain_during BETWEEN 0 AND 10),
  pain_after         smallint CHECK (pain_after BETWEEN 0 AND 10),
  pain_next_morning  smallint CHECK (pain_next_morning BETWEEN 0 AND 10),
  location           smallint NOT NULL DEFAULT 0,
  side               smallint NOT NULL DEFAULT 0,
  create_time        timestamptz NOT NULL DEFAULT now(),
  CHECK (pain_during IS NOT NULL OR pain_after IS NOT NULL OR pain_next_morning IS NOT NULL)
);
CREATE INDEX pain_reports_by_athlete ON pain_reports (athlete_id, report_date DESC, id DESC);

CREATE TABLE gait_scores (
  id                   uuid PRIMARY KEY,
  session_id           uuid NOT NULL REFERENCES sessions (id),
  athlete_id           uuid NOT NULL REFERENCES athletes (id),
  algorithm_version    integer NOT NULL,
  session_start_time   timestamptz NOT NULL,
  -- Key figures as columns for planning and trends; the whole result is `result`.
  cadence_spm          real,
  step_length_m        real,
  speed_mps            real,
  distance_m           real,
  duration_s           real,
  result               bytea NOT NULL,   -- serialized gaitkeeper.scoring.v1.GaitScore
  create_time          timestamptz NOT NULL DEFAULT now(),
  UNIQUE (session_id, algorithm_version)
);
CREATE INDEX gait_scores_by_athlete ON gait_scores (athlete_id, session_start_time DESC, id DESC);

CREATE TABLE plans (
  id                 uuid PRIMARY KEY,
  athlete_id         uuid NOT NULL REFERENCES athletes (id),
  request_id         uuid NOT NULL UNIQUE,
  generator_version  integer NOT NULL,
  state              text NOT NULL CHECK (state IN ('DRAFT', 'ACTIVE')),
  start_date         date NOT NULL,
  inputs             bytea NOT NULL,   -- serialized gaitkeeper.planning.v1.PlanInputs
  plan               bytea NOT NULL,   -- serialized gaitkeeper.planning.v1.Plan
  create_time        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX plans_by_athlete ON plans (athlete_id, create_time DESC, id DESC);

-- Transactional outbox: a row is written in the same transaction as the change it announces and
-- delivered (at least once) by the owning service's dispatcher; receivers are idempotent.
CREATE TABLE outbox (
  id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  topic              text NOT NULL,
  payload            bytea NOT NULL,
  attempts           integer NOT NULL DEFAULT 0,
  next_attempt_time  timestamptz NOT NULL DEFAULT now(),
  delivered_time     timestamptz,
  last_error         text,
  create_time        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_pending ON outbox (topic, next_attempt_time) WHERE delivered_time IS NULL;

-- The application role reads and writes rows; it owns nothing and cannot change the schema.
-- Tables that later migrations create get the same grants by default.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO gaitkeeper_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO gaitkeeper_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO gaitkeeper_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO gaitkeeper_app;
REVOKE ALL ON schema_migrations FROM gaitkeeper_app;
