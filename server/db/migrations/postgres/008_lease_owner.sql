-- 008: mirrors sqlite/009_lease_owner.sql. Who holds a job's lease (docs/ledger.md invariant 4,
-- docs/architecture.md "Several instances"): the instance id of the proxy process whose lease lease_until is.
-- Accepting and taking over a job set it; renewing and releasing a lease are conditional on it, so a process
-- whose lease lapsed and was taken over can no longer extend or end the new holder's lease, and only the
-- holder may start a queued job. NULL on jobs accepted before this migration: their leases lapse and the
-- next claim sets it.
ALTER TABLE jobs ADD COLUMN lease_owner TEXT COLLATE "C";
