// Schema v1: runs with their parameters, metrics, artifacts (files live in the blob folder), per-item results, tags, notes.
// Runs carry an integer `seq` (rowid) for joins, so the many metric rows do not each repeat a 36-character uuid.
export const up = `
CREATE TABLE runs (
  seq          INTEGER PRIMARY KEY,
  id           TEXT NOT NULL UNIQUE,
  kind         TEXT NOT NULL,
  label        TEXT NOT NULL DEFAULT '',
  status       TEXT NOT NULL CHECK (status IN ('queued','running','done','failed','cancelled','interrupted')),
  created_at   INTEGER NOT NULL,
  started_at   INTEGER,
  ended_at     INTEGER,
  duration_ms  INTEGER,
  model_id     TEXT,
  model_sha256 TEXT,
  params       TEXT NOT NULL DEFAULT 'null',
  seed         INTEGER,
  app_version  TEXT NOT NULL,
  result       TEXT,
  error_code   TEXT,
  error        TEXT,
  engine_pid   INTEGER
);
CREATE INDEX runs_created ON runs (created_at DESC);
CREATE INDEX runs_status ON runs (status);

CREATE TABLE metrics (
  run   INTEGER NOT NULL REFERENCES runs (seq) ON DELETE CASCADE,
  step  REAL NOT NULL,
  name  TEXT NOT NULL,
  value REAL NOT NULL
);
CREATE INDEX metrics_run ON metrics (run, name, step);

CREATE TABLE artifacts (
  id     INTEGER PRIMARY KEY,
  run    INTEGER NOT NULL REFERENCES runs (seq) ON DELETE CASCADE,
  role   TEXT NOT NULL,
  name   TEXT NOT NULL DEFAULT '',
  mime   TEXT NOT NULL,
  path   TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size   INTEGER NOT NULL,
  width  INTEGER,
  height INTEGER,
  step   REAL
);
CREATE INDEX artifacts_run ON artifacts (run, role, step);
CREATE INDEX artifacts_sha ON artifacts (sha256);

CREATE TABLE items (
  run  INTEGER NOT NULL REFERENCES runs (seq) ON DELETE CASCADE,
  idx  INTEGER NOT NULL,
  data TEXT NOT NULL,
  PRIMARY KEY (run, idx)
) WITHOUT ROWID;

CREATE TABLE tags (
  run INTEGER NOT NULL REFERENCES runs (seq) ON DELETE CASCADE,
  tag TEXT NOT NULL,
  PRIMARY KEY (run, tag)
) WITHOUT ROWID;
CREATE INDEX tags_tag ON tags (tag);

CREATE TABLE notes (
  run        INTEGER PRIMARY KEY REFERENCES runs (seq) ON DELETE CASCADE,
  text       TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);
`;
