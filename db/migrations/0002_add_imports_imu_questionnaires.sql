-- Ingestion, second step: the sport of a session, raw IMU streams, imported activity files and
-- questionnaire responses.

ALTER TABLE sessions ADD COLUMN sport text NOT NULL DEFAULT 'running' CHECK (length(sport) <= 40);

-- One row per (session, sensor placement): what the stream is and how far its upload got.
CREATE TABLE imu_streams (
  id                 uuid PRIMARY KEY,
  session_id         uuid NOT NULL REFERENCES sessions (id),
  placement          smallint NOT NULL CHECK (placement > 0),
  rate_hz            real NOT NULL CHECK (rate_hz > 0 AND rate_hz <= 1000),
  accel_range_g      real NOT NULL CHECK (accel_range_g > 0),
  has_gyroscope      boolean NOT NULL,
  gyro_range_dps     real,
  last_sequence      bigint NOT NULL DEFAULT 0,
  sample_count       bigint NOT NULL DEFAULT 0,
  clipped_count      bigint NOT NULL DEFAULT 0,
  -- End (µs from session start) of the last stored batch: batches may not go back in time.
  end_offset_us      bigint NOT NULL DEFAULT 0,
  create_time        timestamptz NOT NULL DEFAULT now(),
  UNIQUE (session_id, placement)
);

-- One row per uploaded IMU batch: a columnar gaitkeeper.common.v1.ImuChunk.
CREATE TABLE imu_chunks (
  stream_id        uuid NOT NULL REFERENCES imu_streams (id),
  sequence         bigint NOT NULL CHECK (sequence > 0),
  start_offset_us  bigint NOT NULL,
  sample_count     integer NOT NULL CHECK (sample_count > 0),
  payload          bytea NOT NULL,
  create_time      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (stream_id, sequence)
);

-- The original bytes of every imported file (lossless), with what identifies a re-upload.
CREATE TABLE activity_files (
  id              uuid PRIMARY KEY,
  athlete_id      uuid NOT NULL REFERENCES athletes (id),
  session_id      uuid NOT NULL UNIQUE REFERENCES sessions (id),
  request_id      uuid NOT NULL UNIQUE,
  format          smallint NOT NULL,
  filename        text NOT NULL DEFAULT '' CHECK (length(filename) <= 255),
  content_sha256  bytea NOT NULL,
  -- FIT file_id "type:manufacturer:product:serial:time_created"; NULL for TCX/GPX.
  fit_file_id     text,
  size_bytes      integer NOT NULL,
  content         bytea NOT NULL,
  create_time     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (athlete_id, content_sha256)
);
CREATE UNIQUE INDEX activity_files_fit_id ON activity_files (athlete_id, fit_file_id) WHERE fit_file_id IS NOT NULL;

CREATE TABLE questionnaire_responses (
  id             uuid PRIMARY KEY,
  athlete_id     uuid NOT NULL REFERENCES athletes (id),
  request_id     uuid NOT NULL UNIQUE,
  request_hash   bytea NOT NULL,
  instrument     smallint NOT NULL CHECK (instrument > 0),
  response_date  date NOT NULL,
  response       bytea NOT NULL,   -- serialized gaitkeeper.ingestion.v1.QuestionnaireResponse (answers + scores)
  create_time    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX questionnaire_responses_by_athlete ON questionnaire_responses (athlete_id, response_date DESC, id DESC);
