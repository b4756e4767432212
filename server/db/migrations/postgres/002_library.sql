-- 002: the asset library and reuse (issue 6); mirrors sqlite/003_library.sql.

ALTER TABLE assets ADD COLUMN operation_key TEXT COLLATE "C";
ALTER TABLE assets ADD COLUMN params TEXT COLLATE "C";
ALTER TABLE assets ADD COLUMN parent_asset_id TEXT COLLATE "C";
ALTER TABLE assets ADD COLUMN format TEXT COLLATE "C";
UPDATE assets a SET operation_key = j.operation_key, params = j.spec FROM jobs j WHERE j.id = a.job_id;

DROP INDEX assets_team_created;
CREATE INDEX assets_team_page ON assets (team_id, created_at, id);
CREATE INDEX assets_team_type ON assets (team_id, operation, created_at, id);
CREATE INDEX assets_team_operation ON assets (team_id, operation_key, created_at, id);
CREATE INDEX assets_team_provider ON assets (team_id, provider, created_at, id);
CREATE INDEX assets_sha256 ON assets (sha256);

CREATE TABLE blobs (
  sha256  TEXT COLLATE "C" PRIMARY KEY CHECK (length(sha256) = 64)
);
INSERT INTO blobs (sha256) SELECT DISTINCT sha256 FROM assets;

ALTER TABLE jobs ADD COLUMN reuse_key TEXT COLLATE "C";
ALTER TABLE jobs ADD COLUMN reused_from TEXT COLLATE "C" REFERENCES jobs (id);
CREATE INDEX jobs_reuse ON jobs (team_id, reuse_key) WHERE reuse_key IS NOT NULL;
