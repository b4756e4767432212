-- 001 (PostgreSQL): the final shape of SQLite's 001_init + 002_ledger_complete in one file, with the same
-- tables, columns (in the same order), names, CHECKs, UNIQUEs, partial indexes and foreign keys, so the
-- stores' portable SQL behaves the same on both databases.
-- * Times are ISO 8601 UTC text with milliseconds from the database clock (POSTGRES_DIALECT.now).
-- * Credits and 0/1 flags stay INTEGER, not boolean, so `unlimited = 1` and friends are portable.
-- * Every TEXT column is COLLATE "C": SQLite compares text byte-wise, and the ISO times, ids and report
--   groupings must sort the same here whatever the database's default locale is.
-- * SQLite's json_valid(x) becomes (x::json IS NOT NULL): invalid JSON makes the cast fail, so the row is
--   refused (with 22P02 rather than 23514). json, not jsonb: it accepts exactly what JSON allows (\u0000).

CREATE TABLE teams (
  id            TEXT COLLATE "C" PRIMARY KEY,
  name          TEXT COLLATE "C" NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  tier          TEXT COLLATE "C" NOT NULL CHECK (tier IN ('free', 'basic', 'pro', 'enterprise')),
  period_start  TEXT COLLATE "C" NOT NULL,
  period_end    TEXT COLLATE "C" NOT NULL CHECK (period_end > period_start),
  created_at    TEXT COLLATE "C" NOT NULL DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
);
CREATE INDEX teams_period_end ON teams (period_end);

-- cap_period_start, period_spent, held: the member's spend in that period and what it holds right now,
-- kept by the ledger in the same transaction as the team's balance (monthly caps).
CREATE TABLE members (
  id                TEXT COLLATE "C" PRIMARY KEY,
  team_id           TEXT COLLATE "C" NOT NULL REFERENCES teams (id),
  name              TEXT COLLATE "C" NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  role              TEXT COLLATE "C" NOT NULL CHECK (role IN ('member', 'manager')),
  monthly_cap       INTEGER CHECK (monthly_cap IS NULL OR monthly_cap >= 0),
  disabled          INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
  created_at        TEXT COLLATE "C" NOT NULL DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
  cap_period_start  TEXT COLLATE "C",
  period_spent      INTEGER NOT NULL DEFAULT 0 CHECK (period_spent >= 0),
  held              INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0)
);
CREATE INDEX members_team ON members (team_id);

-- Only the sha256 of a token is stored; the token itself is shown once.
CREATE TABLE tokens (
  token_hash  TEXT COLLATE "C" PRIMARY KEY CHECK (length(token_hash) = 64),
  member_id   TEXT COLLATE "C" NOT NULL REFERENCES members (id),
  created_at  TEXT COLLATE "C" NOT NULL DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
  revoked_at  TEXT COLLATE "C"
);
CREATE INDEX tokens_member ON tokens (member_id);

-- One row per team. The CHECK is the last line of defence of invariant 1; the ledger's conditional
-- UPDATEs keep it from ever firing.
CREATE TABLE balances (
  team_id     TEXT COLLATE "C" PRIMARY KEY REFERENCES teams (id),
  unlimited   INTEGER NOT NULL CHECK (unlimited IN (0, 1)),
  granted     INTEGER NOT NULL DEFAULT 0 CHECK (granted >= 0),
  spent       INTEGER NOT NULL DEFAULT 0 CHECK (spent >= 0),
  held        INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0),
  updated_at  TEXT COLLATE "C" NOT NULL DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
  CHECK (unlimited = 1 OR granted - spent - held >= 0)
);

CREATE TABLE grants (
  id          TEXT COLLATE "C" PRIMARY KEY,
  team_id     TEXT COLLATE "C" NOT NULL REFERENCES teams (id),
  kind        TEXT COLLATE "C" NOT NULL CHECK (kind IN ('monthly', 'topup', 'adjust')),
  amount      INTEGER NOT NULL CHECK (amount >= 0),
  remaining   INTEGER NOT NULL CHECK (remaining >= 0 AND remaining <= amount),
  expires_at  TEXT COLLATE "C",
  note        TEXT COLLATE "C",
  created_at  TEXT COLLATE "C" NOT NULL DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
);
CREATE INDEX grants_draw ON grants (team_id, expires_at) WHERE remaining > 0;
CREATE INDEX grants_expiry ON grants (expires_at) WHERE remaining > 0 AND expires_at IS NOT NULL;

-- period_start: the period the job was priced in. lease_until: renewed by the process running the job; a
-- lapsed lease means that process is gone. inputs: see below. operation_key (create, edit.<kind>, upscale.<mode>, social),
-- provider and model: what usage reports group by.
CREATE TABLE jobs (
  id                TEXT COLLATE "C" PRIMARY KEY,
  team_id           TEXT COLLATE "C" NOT NULL REFERENCES teams (id),
  member_id         TEXT COLLATE "C" NOT NULL REFERENCES members (id),
  idempotency_key   TEXT COLLATE "C",
  request_hash      TEXT COLLATE "C" NOT NULL,
  operation         TEXT COLLATE "C" NOT NULL CHECK (operation IN ('create', 'edit', 'upscale', 'social')),
  spec              TEXT COLLATE "C" NOT NULL CHECK (spec::json IS NOT NULL),
  status            TEXT COLLATE "C" NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  estimate          TEXT COLLATE "C" NOT NULL CHECK (estimate::json IS NOT NULL),
  route             TEXT COLLATE "C" CHECK (route IS NULL OR route::json IS NOT NULL),
  hold_id           TEXT COLLATE "C",
  held              INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0),
  charged           INTEGER NOT NULL DEFAULT 0 CHECK (charged >= 0),
  error             TEXT COLLATE "C" CHECK (error IS NULL OR error::json IS NOT NULL),
  progress          TEXT COLLATE "C" NOT NULL CHECK (progress::json IS NOT NULL),
  provider_task_id  TEXT COLLATE "C",
  -- Images of this job priced by a free allowance; the few jobs with any are found through jobs_free_use
  -- without reading every job's estimate.
  free_images       INTEGER NOT NULL DEFAULT 0 CHECK (free_images >= 0),
  created_at        TEXT COLLATE "C" NOT NULL DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
  updated_at        TEXT COLLATE "C" NOT NULL DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
  started_at        TEXT COLLATE "C",
  finished_at       TEXT COLLATE "C",
  period_start      TEXT COLLATE "C",
  lease_until       TEXT COLLATE "C",
  -- The job's input images by part name ({"image": "<sha256>", "mask": ...}); bytes live in the blob store.
  inputs            TEXT COLLATE "C",
  operation_key     TEXT COLLATE "C",
  provider          TEXT COLLATE "C",
  model             TEXT COLLATE "C",
  -- Retries with the same key find the first job instead of charging again, even when they race.
  UNIQUE (team_id, idempotency_key)
);
CREATE INDEX jobs_team_created ON jobs (team_id, created_at);
CREATE INDEX jobs_unfinished ON jobs (status) WHERE status IN ('queued', 'running');
CREATE INDEX jobs_free_use ON jobs (team_id, created_at) WHERE free_images > 0;
CREATE INDEX jobs_lease ON jobs (lease_until) WHERE status IN ('queued', 'running');

CREATE TABLE holds (
  id           TEXT COLLATE "C" PRIMARY KEY,
  team_id      TEXT COLLATE "C" NOT NULL REFERENCES teams (id),
  member_id    TEXT COLLATE "C" REFERENCES members (id),
  job_id       TEXT COLLATE "C" REFERENCES jobs (id),
  amount       INTEGER NOT NULL CHECK (amount >= 0),
  state        TEXT COLLATE "C" NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'captured', 'released', 'expired')),
  captured     INTEGER NOT NULL DEFAULT 0 CHECK (captured >= 0 AND captured <= amount),
  expires_at   TEXT COLLATE "C" NOT NULL,
  created_at   TEXT COLLATE "C" NOT NULL DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
  resolved_at  TEXT COLLATE "C",
  CHECK ((state = 'pending') = (resolved_at IS NULL))
);
CREATE INDEX holds_pending ON holds (expires_at) WHERE state = 'pending';
CREATE INDEX holds_job ON holds (job_id);

-- Append-only: the balance is the sum of these rows; mistakes are corrected by a new entry.
-- seq orders entries inside this database only and is never shown; id is the public, random id.
-- note: why a grant expired, why an adjustment was made.
CREATE TABLE entries (
  seq              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id               TEXT COLLATE "C" NOT NULL UNIQUE,
  kind             TEXT COLLATE "C" NOT NULL CHECK (kind IN ('grant', 'hold', 'capture', 'release', 'expire', 'adjust')),
  amount           INTEGER NOT NULL CHECK (kind = 'adjust' OR amount >= 0),
  team_id          TEXT COLLATE "C" NOT NULL REFERENCES teams (id),
  member_id        TEXT COLLATE "C" REFERENCES members (id),
  job_id           TEXT COLLATE "C" REFERENCES jobs (id),
  hold_id          TEXT COLLATE "C" REFERENCES holds (id),
  grant_id         TEXT COLLATE "C" REFERENCES grants (id),
  available_after  INTEGER NOT NULL,
  created_at       TEXT COLLATE "C" NOT NULL DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
  note             TEXT COLLATE "C",
  period_start     TEXT COLLATE "C"
);
CREATE INDEX entries_team ON entries (team_id, seq);
CREATE INDEX entries_job ON entries (job_id) WHERE job_id IS NOT NULL;
CREATE INDEX entries_team_kind ON entries (team_id, kind, created_at);

CREATE FUNCTION entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger entries are append-only';
END;
$$;

CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
  FOR EACH ROW EXECUTE FUNCTION entries_append_only();
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
  FOR EACH ROW EXECUTE FUNCTION entries_append_only();
-- TRUNCATE skips row triggers, so it gets its own (SQLite has no TRUNCATE).
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON entries
  FOR EACH STATEMENT EXECUTE FUNCTION entries_append_only();

CREATE TABLE assets (
  id            TEXT COLLATE "C" PRIMARY KEY,
  team_id       TEXT COLLATE "C" NOT NULL REFERENCES teams (id),
  job_id        TEXT COLLATE "C" NOT NULL REFERENCES jobs (id),
  member_id     TEXT COLLATE "C" NOT NULL REFERENCES members (id),
  sha256        TEXT COLLATE "C" NOT NULL CHECK (length(sha256) = 64),
  content_type  TEXT COLLATE "C" NOT NULL CHECK (content_type IN ('image/png', 'image/jpeg')),
  width         INTEGER NOT NULL CHECK (width > 0),
  height        INTEGER NOT NULL CHECK (height > 0),
  bytes         INTEGER NOT NULL CHECK (bytes > 0),
  cost          INTEGER NOT NULL CHECK (cost >= 0),
  operation     TEXT COLLATE "C" NOT NULL,
  provider      TEXT COLLATE "C",
  model         TEXT COLLATE "C",
  prompt        TEXT COLLATE "C",
  created_at    TEXT COLLATE "C" NOT NULL DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
  -- A job's images in the order the provider returned them (variation 1, 2, ...).
  position      INTEGER NOT NULL DEFAULT 0 CHECK (position >= 0)
);
CREATE INDEX assets_team_created ON assets (team_id, created_at);
CREATE INDEX assets_job ON assets (job_id);

-- Free-allowance images used per team, period and provider/model. A job takes them in its hold's
-- transaction and gives them back when it fails.
CREATE TABLE free_use (
  team_id       TEXT COLLATE "C" NOT NULL REFERENCES teams (id),
  period_start  TEXT COLLATE "C" NOT NULL,
  model_key     TEXT COLLATE "C" NOT NULL,
  used          INTEGER NOT NULL CHECK (used >= 0),
  PRIMARY KEY (team_id, period_start, model_key)
);
