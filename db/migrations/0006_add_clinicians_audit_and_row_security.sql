-- Who may see what (docs/SECURITY.md): clinicians of a clinic, the append-only audit trail, and
-- row-level security so that the application role cannot read or write another athlete's rows by
-- mistake (a forgotten WHERE clause, a wrong id in a join).
--
-- Tenancy key: every transaction of the services first sets, with set_config(..., true) (local
-- to the transaction), the athlete and/or clinic that the call was authorised for
-- (db/queries/common/set_scope.sql). Rows outside that scope are invisible and cannot be written.
-- Without a scope nothing athlete-related is visible. The owner role (migrations) is not subject
-- to the policies; the application role is.

CREATE FUNCTION gk_scope_athlete() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT nullif(current_setting('gaitkeeper.athlete_id', true), '')::uuid $$;

CREATE FUNCTION gk_scope_clinic() RETURNS uuid
  LANGUAGE sql STABLE PARALLEL SAFE
  AS $$ SELECT nullif(current_setting('gaitkeeper.clinic_id', true), '')::uuid $$;

-- Clinicians belong to one clinic. A clinic admin manages the clinic's clinicians and care links.
-- Rows are never deleted: disabling keeps the history (audit rows refer to clinician ids).
CREATE TABLE clinicians (
  id            uuid PRIMARY KEY,
  clinic_id     uuid NOT NULL REFERENCES clinics (id),
  request_id    uuid NOT NULL UNIQUE,
  request_hash  bytea NOT NULL,
  display_name  text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 200),
  role          text NOT NULL CHECK (role IN ('CLINICIAN', 'CLINIC_ADMIN')),
  create_time   timestamptz NOT NULL DEFAULT now(),
  disable_time  timestamptz
);
CREATE INDEX clinicians_by_clinic ON clinicians (clinic_id, create_time, id);

-- One row per audited call: a read or change of an athlete's health data by someone other than
-- that athlete (clinicians, clinic admins), whatever the outcome (denied probes included, so no
-- foreign key on athlete_id: the id may not exist). Append-only: the application role may only
-- INSERT and SELECT, and a trigger refuses UPDATE and DELETE for everybody.
CREATE TABLE audit_events (
  id               uuid PRIMARY KEY,
  event_time       timestamptz NOT NULL DEFAULT clock_timestamp(),
  actor            text NOT NULL CHECK (length(actor) BETWEEN 1 AND 128),
  actor_role       text NOT NULL,
  actor_clinic_id  uuid,
  athlete_id       uuid,
  service          text NOT NULL,
  method           text NOT NULL,
  resource         text NOT NULL DEFAULT '',
  outcome          text NOT NULL
);
CREATE INDEX audit_events_by_athlete ON audit_events (athlete_id, event_time DESC, id DESC);
CREATE INDEX audit_events_by_clinic ON audit_events (actor_clinic_id, event_time DESC, id DESC);

REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM gaitkeeper_app;

CREATE FUNCTION gk_audit_events_append_only() RETURNS trigger
  LANGUAGE plpgsql
  AS $$ BEGIN RAISE EXCEPTION 'audit_events is append-only'; END $$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION gk_audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION gk_audit_events_append_only();

-- What authorization needs to know about a clinician before any scope is set: the clinician's
-- role if active in that clinic (NULL otherwise), and whether the athlete has an active care link
-- to that clinic. SECURITY DEFINER (runs as the owner, which the policies do not restrict) and
-- returns only these two facts.
CREATE FUNCTION gk_clinician_access(p_clinician uuid, p_clinic uuid, p_athlete uuid)
  RETURNS TABLE (clinician_role text, linked boolean)
  LANGUAGE sql STABLE SECURITY DEFINER
  SET search_path = public, pg_temp
  AS $$
    SELECT (SELECT c.role FROM clinicians c
             WHERE c.id = p_clinician AND c.clinic_id = p_clinic AND c.disable_time IS NULL),
           p_athlete IS NOT NULL AND EXISTS (
             SELECT 1 FROM care_links l
              WHERE l.athlete_id = p_athlete AND l.clinic_id = p_clinic AND l.revoked_time IS NULL)
  $$;
REVOKE ALL ON FUNCTION gk_clinician_access(uuid, uuid, uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION gk_clinician_access(uuid, uuid, uuid) TO gaitkeeper_app;

-- Row-level security. Tables keyed by athlete:
ALTER TABLE athletes ENABLE ROW LEVEL SECURITY;
CREATE POLICY athlete_scope ON athletes
  USING (id = gk_scope_athlete()) WITH CHECK (id = gk_scope_athlete());

ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
CREATE POLICY athlete_scope ON sessions
  USING (athlete_id = gk_scope_athlete()) WITH CHECK (athlete_id = gk_scope_athlete());
ALTER TABLE pain_reports ENABLE ROW LEVEL SECURITY;
CREATE POLICY athlete_scope ON pain_reports
  USING (athlete_id = gk_scope_athlete()) WITH CHECK (athlete_id = gk_scope_athlete());
ALTER TABLE gait_scores ENABLE ROW LEVEL SECURITY;
CREATE POLICY athlete_scope ON gait_scores
  USING (athlete_id = gk_scope_athlete()) WITH CHECK (athlete_id = gk_scope_athlete());
ALTER TABLE plans ENABLE ROW LEVEL SECURITY;
CREATE POLICY athlete_scope ON plans
  USING (athlete_id = gk_scope_athlete()) WITH CHECK (athlete_id = gk_scope_athlete());
ALTER TABLE activity_files ENABLE ROW LEVEL SECURITY;
CREATE POLICY athlete_scope ON activity_files
  USING (athlete_id = gk_scope_athlete()) WITH CHECK (athlete_id = gk_scope_athlete());
ALTER TABLE questionnaire_responses ENABLE ROW LEVEL SECURITY;
CREATE POLICY athlete_scope ON questionnaire_responses
  USING (athlete_id = gk_scope_athlete()) WITH CHECK (athlete_id = gk_scope_athlete());
ALTER TABLE completion_logs ENABLE ROW LEVEL SECURITY;
CREATE POLICY athlete_scope ON completion_logs
  USING (athlete_id = gk_scope_athlete()) WITH CHECK (athlete_id = gk_scope_athlete());
ALTER TABLE clinician_constraints ENABLE ROW LEVEL SECURITY;
CREATE POLICY athlete_scope ON clinician_constraints
  USING (athlete_id = gk_scope_athlete()) WITH CHECK (athlete_id = gk_scope_athlete());

-- Tables keyed through their session or plan (the subquery is itself restricted by the policies
-- above, so it only yields the scoped athlete's sessions and plans).
ALTER TABLE session_sample_chunks ENABLE ROW LEVEL SECURITY;
CREATE POLICY athlete_scope ON session_sample_chunks
  USING (session_id IN (SELECT id FROM sessions))
  WITH CHECK (session_id IN (SELECT id FROM sessions));
ALTER TABLE imu_streams ENABLE ROW LEVEL SECURITY;
CREATE POLICY athlete_scope ON imu_streams
  USING (session_id IN (SELECT id FROM sessions))
  WITH CHECK (session_id IN (SELECT id FROM sessions));
ALTER TABLE imu_chunks ENABLE ROW LEVEL SECURITY;
CREATE POLICY athlete_scope ON imu_chunks
  USING (stream_id IN (SELECT id FROM imu_streams))
  WITH CHECK (stream_id IN (SELECT id FROM imu_streams));
ALTER TABLE plan_reviews ENABLE ROW LEVEL SECURITY;
CREATE POLICY athlete_scope ON plan_reviews
  USING (plan_id IN (SELECT id FROM plans))
  WITH CHECK (plan_id IN (SELECT id FROM plans));

-- Care links are seen by their athlete, or by their clinic (clinicians and clinic admins).
ALTER TABLE care_links ENABLE ROW LEVEL SECURITY;
CREATE POLICY athlete_or_clinic_scope ON care_links
  USING (athlete_id = gk_scope_athlete() OR clinic_id = gk_scope_clinic())
  WITH CHECK (athlete_id = gk_scope_athlete() OR clinic_id = gk_scope_clinic());

-- Clinicians are seen by their clinic.
ALTER TABLE clinicians ENABLE ROW LEVEL SECURITY;
CREATE POLICY clinic_scope ON clinicians
  USING (clinic_id = gk_scope_clinic()) WITH CHECK (clinic_id = gk_scope_clinic());

-- Audit rows: anyone may append (the service writes them for every audited call, whatever its
-- scope); reading needs the athlete's or the actor's clinic's scope.
ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY audit_append ON audit_events FOR INSERT WITH CHECK (true);
CREATE POLICY audit_read ON audit_events FOR SELECT
  USING (athlete_id = gk_scope_athlete() OR actor_clinic_id = gk_scope_clinic());

-- Not athlete data, no policies: clinics (names only), exercises (the library), outbox (ids and
-- resource names of pending hand-offs), schema_migrations.
