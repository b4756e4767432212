-- 008: a provider's rate-limit lock-out shared by every proxy on the database (docs/providers.md, "Rate
-- limits across instances"). SQLite serves one process, which keeps its lock-outs in memory; the table is
-- here so both schemas stay the same (postgres/007_provider_limits.sql) and the store is tested on both.
-- `until` is the database clock's ISO text, only ever raised, never shortened.
CREATE TABLE provider_lockouts (
  provider  TEXT PRIMARY KEY,
  until     TEXT NOT NULL
);

-- A provider's concurrent calls across the cluster, one leased row per slot (providers/cluster-slots.ts;
-- PostgreSQL only in use, as above).
CREATE TABLE provider_slots (
  provider    TEXT NOT NULL,
  slot        INTEGER NOT NULL CHECK (slot >= 0),
  holder      TEXT,
  expires_at  TEXT,
  PRIMARY KEY (provider, slot)
);
