-- 003: mirrors sqlite/004_library_search.sql, except that PostgreSQL searches prompts through a trigram
-- index (pg_trgm, a trusted extension since PostgreSQL 13), the one index SQLite does not have. Where the
-- extension cannot be installed, that name holds a page-order index with the prompts, as SQLite's is.
CREATE INDEX assets_team_member ON assets (team_id, member_id, created_at, id);
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
  EXECUTE 'CREATE INDEX assets_prompt_search ON assets USING gin (lower(prompt) gin_trgm_ops)';
EXCEPTION WHEN insufficient_privilege OR undefined_file OR feature_not_supported THEN
  RAISE NOTICE 'pg_trgm is not available (%); prompt search uses the page index', SQLERRM;
  CREATE INDEX assets_prompt_search ON assets (team_id, created_at, id, prompt);
END
$$;
