-- 005: mirrors sqlite/006_batches.sql: a batch row per request (priced and held as one; status, held and
-- charged derived from its item jobs), and each item job's batch and place in it.
CREATE TABLE batches (
  id               TEXT COLLATE "C" PRIMARY KEY,
  team_id          TEXT COLLATE "C" NOT NULL REFERENCES teams (id),
  member_id        TEXT COLLATE "C" NOT NULL REFERENCES members (id),
  idempotency_key  TEXT COLLATE "C",
  request_hash     TEXT COLLATE "C" NOT NULL,
  operation        TEXT COLLATE "C" NOT NULL CHECK (operation IN ('create', 'edit', 'upscale', 'social')),
  estimate         TEXT COLLATE "C" NOT NULL CHECK (estimate::json IS NOT NULL),
  items            INTEGER NOT NULL CHECK (items > 0),
  cancelled        INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1)),
  created_at       TEXT COLLATE "C" NOT NULL DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
  updated_at       TEXT COLLATE "C" NOT NULL DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
  UNIQUE (team_id, idempotency_key)
);
CREATE INDEX batches_team_created ON batches (team_id, created_at);

ALTER TABLE jobs ADD COLUMN batch_id TEXT COLLATE "C" REFERENCES batches (id);
ALTER TABLE jobs ADD COLUMN batch_index INTEGER CHECK (batch_index IS NULL OR batch_index >= 0);
CREATE UNIQUE INDEX jobs_batch ON jobs (batch_id, batch_index) WHERE batch_id IS NOT NULL;
