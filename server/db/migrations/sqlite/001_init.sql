-- 001: teams, members, tokens, the credit ledger (balances, grants, holds, entries), jobs and assets.
-- Times are ISO 8601 UTC text with milliseconds, written by the database clock, so they sort as text.

CREATE TABLE teams (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  tier          TEXT NOT NULL CHECK (tier IN ('free', 'basic', 'pro', 'enterprise')),
  period_start  TEXT NOT NULL,
  period_end    TEXT NOT NULL CHECK (period_end > period_start),
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE members (
  id           TEXT PRIMARY KEY,
  team_id      TEXT NOT NULL REFERENCES teams (id),
  name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  role         TEXT NOT NULL CHECK (role IN ('member', 'manager')),
  monthly_cap  INTEGER CHECK (monthly_cap IS NULL OR monthly_cap >= 0),
  disabled     INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX members_team ON members (team_id);

-- Only the sha256 of a token is stored; the token itself is shown once.
CREATE TABLE tokens (
  token_hash  TEXT PRIMARY KEY CHECK (length(token_hash) = 64),
  member_id   TEXT NOT NULL REFERENCES members (id),
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  revoked_at  TEXT
);
CREATE INDEX tokens_member ON tokens (member_id);

-- One row per team. The CHECK is the last line of defence of invariant 1; the ledger's conditional
-- UPDATEs keep it from ever firing.
CREATE TABLE balances (
  team_id     TEXT PRIMARY KEY REFERENCES teams (id),
  unlimited   INTEGER NOT NULL CHECK (unlimited IN (0, 1)),
  granted     INTEGER NOT NULL DEFAULT 0 CHECK (granted >= 0),
  spent       INTEGER NOT NULL DEFAULT 0 CHECK (spent >= 0),
  held        INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0),
  updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  CHECK (unlimited = 1 OR granted - spent - held >= 0)
);

CREATE TABLE grants (
  id          TEXT PRIMARY KEY,
  team_id     TEXT NOT NULL REFERENCES teams (id),
  kind        TEXT NOT NULL CHECK (kind IN ('monthly', 'topup', 'adjust')),
  amount      INTEGER NOT NULL CHECK (amount >= 0),
  remaining   INTEGER NOT NULL CHECK (remaining >= 0 AND remaining <= amount),
  expires_at  TEXT,
  note        TEXT,
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX grants_draw ON grants (team_id, expires_at) WHERE remaining > 0;

CREATE TABLE jobs (
  id                TEXT PRIMARY KEY,
  team_id           TEXT NOT NULL REFERENCES teams (id),
  member_id         TEXT NOT NULL REFERENCES members (id),
  idempotency_key   TEXT,
  request_hash      TEXT NOT NULL,
  operation         TEXT NOT NULL CHECK (operation IN ('create', 'edit', 'upscale', 'social')),
  spec              TEXT NOT NULL CHECK (json_valid(spec)),
  status            TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  estimate          TEXT NOT NULL CHECK (json_valid(estimate)),
  route             TEXT CHECK (route IS NULL OR json_valid(route)),
  hold_id           TEXT,
  held              INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0),
  charged           INTEGER NOT NULL DEFAULT 0 CHECK (charged >= 0),
  error             TEXT CHECK (error IS NULL OR json_valid(error)),
  progress          TEXT NOT NULL CHECK (json_valid(progress)),
  provider_task_id  TEXT,
  -- Images of this job priced by a free allowance; the few jobs with any are found through jobs_free_use
  -- without reading every job's estimate.
  free_images       INTEGER NOT NULL DEFAULT 0 CHECK (free_images >= 0),
  created_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  started_at        TEXT,
  finished_at       TEXT,
  -- Retries with the same key find the first job instead of charging again, even when they race.
  UNIQUE (team_id, idempotency_key)
);
CREATE INDEX jobs_team_created ON jobs (team_id, created_at);
CREATE INDEX jobs_unfinished ON jobs (status) WHERE status IN ('queued', 'running');
CREATE INDEX jobs_free_use ON jobs (team_id, created_at) WHERE free_images > 0;

CREATE TABLE holds (
  id           TEXT PRIMARY KEY,
  team_id      TEXT NOT NULL REFERENCES teams (id),
  member_id    TEXT REFERENCES members (id),
  job_id       TEXT REFERENCES jobs (id),
  amount       INTEGER NOT NULL CHECK (amount >= 0),
  state        TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'captured', 'released', 'expired')),
  captured     INTEGER NOT NULL DEFAULT 0 CHECK (captured >= 0 AND captured <= amount),
  expires_at   TEXT NOT NULL,
  created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  resolved_at  TEXT,
  CHECK ((state = 'pending') = (resolved_at IS NULL))
);
CREATE INDEX holds_pending ON holds (expires_at) WHERE state = 'pending';
CREATE INDEX holds_member ON holds (member_id, created_at);
CREATE INDEX holds_job ON holds (job_id);

-- Append-only: the balance is the sum of these rows; mistakes are corrected by a new entry.
-- seq orders entries inside this database only and is never shown; id is the public, random id.
CREATE TABLE entries (
  seq              INTEGER PRIMARY KEY,
  id               TEXT NOT NULL UNIQUE,
  kind             TEXT NOT NULL CHECK (kind IN ('grant', 'hold', 'capture', 'release', 'expire', 'adjust')),
  amount           INTEGER NOT NULL CHECK (kind = 'adjust' OR amount >= 0),
  team_id          TEXT NOT NULL REFERENCES teams (id),
  member_id        TEXT REFERENCES members (id),
  job_id           TEXT REFERENCES jobs (id),
  hold_id          TEXT REFERENCES holds (id),
  grant_id         TEXT REFERENCES grants (id),
  available_after  INTEGER NOT NULL,
  created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX entries_team ON entries (team_id, seq);
CREATE INDEX entries_job ON entries (job_id) WHERE job_id IS NOT NULL;
CREATE INDEX entries_member ON entries (member_id, kind, created_at);

CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN
  SELECT RAISE(ABORT, 'ledger entries are append-only');
END;

CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
BEGIN
  SELECT RAISE(ABORT, 'ledger entries are append-only');
END;

CREATE TABLE assets (
  id            TEXT PRIMARY KEY,
  team_id       TEXT NOT NULL REFERENCES teams (id),
  job_id        TEXT NOT NULL REFERENCES jobs (id),
  member_id     TEXT NOT NULL REFERENCES members (id),
  sha256        TEXT NOT NULL CHECK (length(sha256) = 64),
  content_type  TEXT NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg')),
  width         INTEGER NOT NULL CHECK (width > 0),
  height        INTEGER NOT NULL CHECK (height > 0),
  bytes         INTEGER NOT NULL CHECK (bytes > 0),
  cost          INTEGER NOT NULL CHECK (cost >= 0),
  operation     TEXT NOT NULL,
  provider      TEXT,
  model         TEXT,
  prompt        TEXT,
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX assets_team_created ON assets (team_id, created_at);
CREATE INDEX assets_job ON assets (job_id);
