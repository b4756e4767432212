-- 006: batches (issue 15). One request acting on many images: priced once and held as one (each item a job
-- with its own hold of its share, all inserted in one transaction), so a batch holds all of its items or
-- none. What a batch shows (status, held, charged, progress) is derived from its item jobs; the row keeps
-- only what belongs to the request: who, its Idempotency-Key and fingerprint, the one estimate, and whether
-- someone cancelled the rest of it (docs/api.md, docs/ledger.md).
CREATE TABLE batches (
  id               TEXT PRIMARY KEY,
  team_id          TEXT NOT NULL REFERENCES teams (id),
  member_id        TEXT NOT NULL REFERENCES members (id),
  idempotency_key  TEXT,
  request_hash     TEXT NOT NULL,
  operation        TEXT NOT NULL CHECK (operation IN ('create', 'edit', 'upscale', 'social')),
  estimate         TEXT NOT NULL CHECK (json_valid(estimate)),
  items            INTEGER NOT NULL CHECK (items > 0),
  cancelled        INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1)),
  created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  -- A retried request finds the first batch instead of holding again, even when retries race.
  UNIQUE (team_id, idempotency_key)
);
CREATE INDEX batches_team_created ON batches (team_id, created_at);

ALTER TABLE jobs ADD COLUMN batch_id TEXT REFERENCES batches (id);
ALTER TABLE jobs ADD COLUMN batch_index INTEGER CHECK (batch_index IS NULL OR batch_index >= 0);
CREATE UNIQUE INDEX jobs_batch ON jobs (batch_id, batch_index) WHERE batch_id IS NOT NULL;
