-- 005: models their provider reported gone (issue 12). A "model not found / no longer supported" answer is
-- written here, once, with the provider's words and the time, so every proxy sharing the database stops
-- routing to it. Keyed by the id sent upstream: an operator who points the catalog at the successor's id
-- (CATALOG_PATH) has a usable model again without touching this table.
CREATE TABLE retired_models (
  provider  TEXT NOT NULL,
  upstream  TEXT NOT NULL,
  reason    TEXT NOT NULL,
  since     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  PRIMARY KEY (provider, upstream)
);
