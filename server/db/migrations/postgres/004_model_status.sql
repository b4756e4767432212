-- 004: mirrors sqlite/005_model_status.sql: models their provider reported gone, keyed by the id sent
-- upstream, with the provider's words and the database time.
CREATE TABLE retired_models (
  provider  TEXT COLLATE "C" NOT NULL,
  upstream  TEXT COLLATE "C" NOT NULL,
  reason    TEXT COLLATE "C" NOT NULL,
  since     TEXT COLLATE "C" NOT NULL DEFAULT (to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')),
  PRIMARY KEY (provider, upstream)
);
