-- 002: the complete ledger (issue 3). Per-member counters for monthly caps, checked in the hold's
-- transaction; free-allowance counters per team and period; job leases so a crashed proxy's jobs are found
-- by any other process; notes on entries (why a grant expired, why an adjustment was made).

-- What the member has spent in `cap_period_start`'s period, and holds right now. Kept by the ledger in
-- the same transaction as the team's balance; `ledger verify` recomputes both from entries and holds.
ALTER TABLE members ADD COLUMN cap_period_start TEXT;
ALTER TABLE members ADD COLUMN period_spent INTEGER NOT NULL DEFAULT 0 CHECK (period_spent >= 0);
ALTER TABLE members ADD COLUMN held INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0);

UPDATE members SET
  held = (SELECT coalesce(sum(h.amount), 0) FROM holds h WHERE h.member_id = members.id AND h.state = 'pending'),
  cap_period_start = (SELECT t.period_start FROM teams t WHERE t.id = members.team_id),
  period_spent = (
    SELECT coalesce(sum(e.amount), 0) FROM entries e JOIN teams t ON t.id = members.team_id
    WHERE e.member_id = members.id AND e.kind = 'capture' AND e.created_at >= t.period_start
  );

-- Free-allowance images used per team, period and provider/model. A job takes them in its hold's
-- transaction and gives them back when it fails.
CREATE TABLE free_use (
  team_id       TEXT NOT NULL REFERENCES teams (id),
  period_start  TEXT NOT NULL,
  model_key     TEXT NOT NULL,
  used          INTEGER NOT NULL CHECK (used >= 0),
  PRIMARY KEY (team_id, period_start, model_key)
);

INSERT INTO free_use (team_id, period_start, model_key, used)
SELECT j.team_id, t.period_start, f.key, sum(f.value)
FROM jobs j JOIN teams t ON t.id = j.team_id, json_each(j.estimate, '$.steps') s, json_each(s.value, '$.freeUsed') f
WHERE j.free_images > 0 AND j.status != 'failed' AND j.created_at >= t.period_start
GROUP BY j.team_id, t.period_start, f.key;

-- The period a job was priced in (its free images and member spend belong to it), and its lease: the
-- process running a job renews it; a job whose lease lapsed lost its process and is failed or resumed by
-- whichever proxy notices first.
ALTER TABLE jobs ADD COLUMN period_start TEXT;
ALTER TABLE jobs ADD COLUMN lease_until TEXT;
-- The job's input images by part name ({"image": "<sha256>", "mask": ...}); bytes live in the blob store.
ALTER TABLE jobs ADD COLUMN inputs TEXT;
UPDATE jobs SET period_start = (SELECT t.period_start FROM teams t WHERE t.id = jobs.team_id);

-- Columns reports group by, so usage by operation, provider and model is plain SQL on both databases.
-- operation_key is the catalog's key: create, edit.<kind>, upscale.<mode>, social.
ALTER TABLE jobs ADD COLUMN operation_key TEXT;
ALTER TABLE jobs ADD COLUMN provider TEXT;
ALTER TABLE jobs ADD COLUMN model TEXT;
UPDATE jobs SET
  operation_key = CASE operation
    WHEN 'edit' THEN 'edit.' || json_extract(spec, '$.kind')
    WHEN 'upscale' THEN 'upscale.' || json_extract(spec, '$.mode')
    ELSE operation END,
  provider = json_extract(route, '$.provider'),
  model = json_extract(route, '$.model');
CREATE INDEX jobs_lease ON jobs (lease_until) WHERE status IN ('queued', 'running');

ALTER TABLE entries ADD COLUMN note TEXT;
-- The team's billing period when the entry was written: spend is counted per period from this, never from
-- clock times near a period's edge.
ALTER TABLE entries ADD COLUMN period_start TEXT;
-- The one sanctioned write to old entries: filling a new column, with the append-only guard lifted only
-- inside this migration's transaction.
DROP TRIGGER entries_no_update;
UPDATE entries SET period_start = (SELECT t.period_start FROM teams t WHERE t.id = entries.team_id);
CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN
  SELECT RAISE(ABORT, 'ledger entries are append-only');
END;
-- A job's images in the order the provider returned them (variation 1, 2, ...), on any database.
ALTER TABLE assets ADD COLUMN position INTEGER NOT NULL DEFAULT 0 CHECK (position >= 0);
CREATE INDEX entries_team_kind ON entries (team_id, kind, created_at);
-- Member spend and holds are counters on members now; these indexes only slowed every ledger write.
DROP INDEX entries_member;
DROP INDEX holds_member;
CREATE INDEX grants_expiry ON grants (expires_at) WHERE remaining > 0 AND expires_at IS NOT NULL;
CREATE INDEX teams_period_end ON teams (period_end);
