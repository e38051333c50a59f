-- $1 id, $2 actor, $3 actor role, $4 actor clinic (NULL), $5 athlete (NULL), $6 service, $7 method,
-- $8 resource, $9 outcome (gRPC code name).
INSERT INTO audit_events (id, actor, actor_role, actor_clinic_id, athlete_id, service, method, resource, outcome)
VALUES ($1, $2, $3, $4::uuid, $5::uuid, $6, $7, $8, $9)
