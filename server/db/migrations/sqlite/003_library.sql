-- 003: the asset library and reuse (issue 6).

-- What made each asset, so the library can filter and show it without reading jobs: the priced operation
-- (edit.inpaint, upscale.fast, ...), the spec's settings, the asset its input came from, and for social
-- results the catalog's format id (its safe zone stays in the catalog, as data).
ALTER TABLE assets ADD COLUMN operation_key TEXT;
ALTER TABLE assets ADD COLUMN params TEXT CHECK (params IS NULL OR json_valid(params));
ALTER TABLE assets ADD COLUMN parent_asset_id TEXT;
ALTER TABLE assets ADD COLUMN format TEXT;
UPDATE assets SET
  operation_key = (SELECT j.operation_key FROM jobs j WHERE j.id = assets.job_id),
  params = (SELECT j.spec FROM jobs j WHERE j.id = assets.job_id);

-- Pages are newest first with the id as tie-break; each filter the panel offers has its own path.
DROP INDEX assets_team_created;
CREATE INDEX assets_team_page ON assets (team_id, created_at, id);
CREATE INDEX assets_team_type ON assets (team_id, operation, created_at, id);
CREATE INDEX assets_team_operation ON assets (team_id, operation_key, created_at, id);
CREATE INDEX assets_team_provider ON assets (team_id, provider, created_at, id);
CREATE INDEX assets_sha256 ON assets (sha256);

-- One row per stored blob that assets refer to. Storing an asset and deleting one lock this row, so a
-- delete never removes bytes that a concurrent job is just recording (on any database, in any process).
CREATE TABLE blobs (
  sha256  TEXT PRIMARY KEY CHECK (length(sha256) = 64)
);
INSERT INTO blobs (sha256) SELECT DISTINCT sha256 FROM assets;

-- Reuse: a job with a fixed seed has a key over its operation, route, settings and input bytes; a later
-- identical job of the team returns that job's assets (reused_from) for 0 credits.
ALTER TABLE jobs ADD COLUMN reuse_key TEXT;
ALTER TABLE jobs ADD COLUMN reused_from TEXT REFERENCES jobs (id);
CREATE INDEX jobs_reuse ON jobs (team_id, reuse_key) WHERE reuse_key IS NOT NULL;
