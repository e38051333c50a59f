-- $1 clinician id, $2 clinic id, $3 athlete id (NULL: none). One row: the clinician's role when
-- active in that clinic (NULL otherwise) and whether the athlete has an active link to the clinic.
SELECT clinician_role, linked FROM gk_clinician_access($1::uuid, $2::uuid, $3::uuid)
