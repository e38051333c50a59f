-- Planning workflow: red-flag answers on pain reports, clinics and care links (an athlete grants a
-- clinic access; revocable, history kept), plan review by clinicians, and completion logs for
-- adherence.

ALTER TABLE pain_reports
  ADD COLUMN night_pain  boolean NOT NULL DEFAULT false,
  ADD COLUMN rest_pain   boolean NOT NULL DEFAULT false,
  ADD COLUMN swelling    boolean NOT NULL DEFAULT false,
  ADD COLUMN locking     boolean NOT NULL DEFAULT false,
  ADD COLUMN giving_way  boolean NOT NULL DEFAULT false;

CREATE TABLE clinics (
  id           uuid PRIMARY KEY,
  request_id   uuid NOT NULL UNIQUE,
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  create_time  timestamptz NOT NULL DEFAULT now()
);

-- One row per grant; revoking sets revoked_time (rows are never deleted: the history is kept).
CREATE TABLE care_links (
  id            uuid PRIMARY KEY,
  athlete_id    uuid NOT NULL REFERENCES athletes (id),
  clinic_id     uuid NOT NULL REFERENCES clinics (id),
  request_id    uuid NOT NULL UNIQUE,
  granted_time  timestamptz NOT NULL DEFAULT now(),
  revoked_time  timestamptz
);
CREATE UNIQUE INDEX care_links_one_active ON care_links (athlete_id, clinic_id) WHERE revoked_time IS NULL;
CREATE INDEX care_links_by_clinic ON care_links (clinic_id) WHERE revoked_time IS NULL;

ALTER TABLE plans DROP CONSTRAINT plans_state_check;
ALTER TABLE plans ADD CONSTRAINT plans_state_check CHECK (state IN ('DRAFT', 'ACTIVE', 'REJECTED'));
-- The clinic that must review the plan (NULL: the runner had no clinic; the plan is ACTIVE at once).
ALTER TABLE plans ADD COLUMN review_clinic_id uuid REFERENCES clinics (id);

-- Every clinician action on a plan: who, when, why, and what changed. Append-only.
CREATE TABLE plan_reviews (
  id           uuid PRIMARY KEY,
  plan_id      uuid NOT NULL REFERENCES plans (id),
  request_id   uuid NOT NULL UNIQUE,
  action       text NOT NULL CHECK (action IN ('APPROVE', 'EDIT', 'REJECT')),
  actor        text NOT NULL,
  actor_role   text NOT NULL,
  reason       text NOT NULL DEFAULT '' CHECK (length(reason) <= 2000),
  review       bytea NOT NULL,   -- serialized gaitkeeper.planning.v1.PlanReview
  create_time  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX plan_reviews_by_plan ON plan_reviews (plan_id, create_time, id);

-- What the runner did of a plan item.
CREATE TABLE completion_logs (
  id            uuid PRIMARY KEY,
  plan_id       uuid NOT NULL REFERENCES plans (id),
  athlete_id    uuid NOT NULL REFERENCES athletes (id),
  request_id    uuid NOT NULL UNIQUE,
  request_hash  bytea NOT NULL,
  item_index    integer NOT NULL CHECK (item_index >= 0),
  category      smallint NOT NULL,
  done_date     date NOT NULL,
  log           bytea NOT NULL,    -- serialized gaitkeeper.planning.v1.CompletionLog
  create_time   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX completion_logs_by_athlete ON completion_logs (athlete_id, done_date);
