-- 006: mirrors sqlite/007_managers.sql. Managers' controls (issue 17, docs/ledger.md "Projects, roles and alerts").
-- projects: a budget per project, monthly (counted per team period, like a member's cap) or one-off (counted
-- for the project's life). period_spent / held are kept by the ledger in the hold's and the capture's
-- transaction, so a project's held + spent in its period never exceeds its budget (invariant 10).
CREATE TABLE projects (
  id                  TEXT COLLATE "C" PRIMARY KEY,
  team_id             TEXT COLLATE "C" NOT NULL REFERENCES teams (id),
  name                TEXT COLLATE "C" NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  budget              INTEGER CHECK (budget IS NULL OR budget >= 0),
  budget_kind         TEXT COLLATE "C" NOT NULL DEFAULT 'monthly' CHECK (budget_kind IN ('monthly', 'once')),
  spent_period_start  TEXT COLLATE "C",
  period_spent        INTEGER NOT NULL DEFAULT 0 CHECK (period_spent >= 0),
  held                INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0),
  archived_at         TEXT COLLATE "C",
  created_at          TEXT COLLATE "C" NOT NULL DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
);
CREATE INDEX projects_team ON projects (team_id, created_at);

-- The project a job, its hold and its assets were charged to (null: none).
ALTER TABLE jobs ADD COLUMN project_id TEXT COLLATE "C" REFERENCES projects (id);
ALTER TABLE holds ADD COLUMN project_id TEXT COLLATE "C" REFERENCES projects (id);
ALTER TABLE assets ADD COLUMN project_id TEXT COLLATE "C" REFERENCES projects (id);
CREATE INDEX jobs_team_project ON jobs (team_id, project_id, created_at) WHERE project_id IS NOT NULL;
CREATE INDEX assets_team_project ON assets (team_id, project_id, created_at, id) WHERE project_id IS NOT NULL;

-- What each role may use (JSON: { operations?, qualities?, models? }), read inside the hold's transaction.
CREATE TABLE role_policies (
  team_id     TEXT COLLATE "C" NOT NULL REFERENCES teams (id),
  role        TEXT COLLATE "C" NOT NULL CHECK (role IN ('member', 'manager')),
  rules       TEXT COLLATE "C" NOT NULL CHECK (rules::json IS NOT NULL),
  updated_at  TEXT COLLATE "C" NOT NULL DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
  PRIMARY KEY (team_id, role)
);

-- A manager's thresholds: percent of the period's allocation (team), of a project's budget, of a member's
-- cap. target_id '' = every project / every member.
CREATE TABLE alert_thresholds (
  id          TEXT COLLATE "C" PRIMARY KEY,
  team_id     TEXT COLLATE "C" NOT NULL REFERENCES teams (id),
  scope       TEXT COLLATE "C" NOT NULL CHECK (scope IN ('team', 'project', 'member')),
  target_id   TEXT COLLATE "C" NOT NULL DEFAULT '',
  percent     INTEGER NOT NULL CHECK (percent BETWEEN 1 AND 1000),
  created_at  TEXT COLLATE "C" NOT NULL DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
  UNIQUE (team_id, scope, target_id, percent)
);

-- A crossed threshold: exactly one row per (threshold, target, period), however many jobs cross it together
-- (the UNIQUE is the insert-or-ignore's arbiter). period_start is 'once' for one-off project budgets.
CREATE TABLE alerts (
  id               TEXT COLLATE "C" PRIMARY KEY,
  team_id          TEXT COLLATE "C" NOT NULL REFERENCES teams (id),
  threshold_id     TEXT COLLATE "C" NOT NULL,
  scope            TEXT COLLATE "C" NOT NULL CHECK (scope IN ('team', 'project', 'member')),
  target_id        TEXT COLLATE "C" NOT NULL,
  target_name      TEXT COLLATE "C" NOT NULL,
  period_start     TEXT COLLATE "C" NOT NULL,
  percent          INTEGER NOT NULL,
  used             INTEGER NOT NULL,
  base             INTEGER NOT NULL,
  created_at       TEXT COLLATE "C" NOT NULL DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
  acknowledged_at  TEXT COLLATE "C",
  acknowledged_by  TEXT COLLATE "C",
  UNIQUE (threshold_id, target_id, period_start)
);
CREATE INDEX alerts_team_open ON alerts (team_id, created_at) WHERE acknowledged_at IS NULL;

-- The team's webhook: its URL and the HMAC-SHA256 secret (shown once to the manager who set it).
CREATE TABLE webhooks (
  team_id     TEXT COLLATE "C" PRIMARY KEY REFERENCES teams (id),
  url         TEXT COLLATE "C" NOT NULL,
  secret      TEXT COLLATE "C" NOT NULL,
  updated_at  TEXT COLLATE "C" NOT NULL DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
);

-- The outbox: one row per alert to deliver, written in the alert's transaction, so a delivery survives a
-- restart; the dispatcher claims due rows (next_attempt_at) and retries with backoff.
CREATE TABLE webhook_outbox (
  event_id         TEXT COLLATE "C" PRIMARY KEY,
  team_id          TEXT COLLATE "C" NOT NULL REFERENCES teams (id),
  body             TEXT COLLATE "C" NOT NULL CHECK (body::json IS NOT NULL),
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  TEXT COLLATE "C" NOT NULL DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
  delivered_at     TEXT COLLATE "C",
  failed_at        TEXT COLLATE "C",
  last_error       TEXT COLLATE "C",
  created_at       TEXT COLLATE "C" NOT NULL DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'))
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at) WHERE delivered_at IS NULL AND failed_at IS NULL;
