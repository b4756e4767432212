-- 004: library pages that filter by member or search prompts stay fast at 100,000 assets (bench/assets.ts).
-- A member's assets get their own path. A prompt search reads the prompts from the page-order index itself
-- instead of every row of the team (PostgreSQL has a trigram index for it, assets_prompt_search).
CREATE INDEX assets_team_member ON assets (team_id, member_id, created_at, id);
DROP INDEX assets_team_page;
CREATE INDEX assets_team_page ON assets (team_id, created_at, id, prompt);
