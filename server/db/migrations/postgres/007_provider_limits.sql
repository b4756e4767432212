-- 007: mirrors sqlite/008_provider_limits.sql. A provider's rate-limit lock-out, shared by every proxy on
-- this database: providers limit per API key and every instance uses the same key, so when one instance is
-- told "leave the key alone until T" (a 429), the others honour it instead of each earning its own 429
-- (which may extend the lock-out: docs/providers.md, "Rate limits across instances"). `until` is the
-- database clock's ISO text, only ever raised (GREATEST), never shortened.
CREATE TABLE provider_lockouts (
  provider  TEXT COLLATE "C" PRIMARY KEY,
  until     TEXT COLLATE "C" NOT NULL
);

-- A provider's concurrent calls across the cluster: one row per slot (0..PROVIDER_CONCURRENCY-1, added as
-- needed), held as a lease: `holder` is the job's call holding it until `expires_at`, renewed while the call
-- lasts, so a killed instance's slots come back when their leases lapse (providers/cluster-slots.ts).
CREATE TABLE provider_slots (
  provider    TEXT COLLATE "C" NOT NULL,
  slot        INTEGER NOT NULL CHECK (slot >= 0),
  holder      TEXT COLLATE "C",
  expires_at  TEXT COLLATE "C",
  PRIMARY KEY (provider, slot)
);
