// Who holds a job's lease (migration sqlite/009_lease_owner.sql; docs/ledger.md invariant 4): after
// instance A's lease lapsed (a database stall longer than the lease) and instance B took the job over, A can
// no longer renew or release B's lease, start the job, or capture or release its hold; B can. On SQLite both
// instances share this process's one connection (a second would deadlock the only thread); on PostgreSQL
// each has a pool of its own, as separate proxies would.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import { SqlAssetRepo } from "../assets/asset-repo.ts";
import { DB_KINDS } from "../test-support/databases.ts";
import { newJobRequest } from "../test-support/job-requests.ts";
import { openTestStores, type TestStores } from "../test-support/test-stores.ts";
import { SqlJobStore } from "./job-store.ts";
import type { JobRecord, JobStore, NewAsset, NewJob } from "./types.ts";

const FAILED = { code: "provider_error", message: "boom. Nothing was charged." } as const;

interface Who {
  teamId: string;
  memberId: string;
}

const newJob = (who: Who, seed: number): NewJob => newJobRequest(who, { seed });

const asset = (n: number): NewAsset => ({
  sha256: n.toString(16).padStart(2, "0").repeat(32),
  contentType: "image/png",
  width: 64,
  height: 64,
  bytes: 100,
  cost: 2,
  provider: "local",
  model: "procedural",
  prompt: "p",
});

describe.each(DB_KINDS)("job leases and their holder on %s", (kind) => {
  let t: TestStores;
  beforeEach(async () => {
    t = await openTestStores(kind);
  });
  afterEach(() => t.cleanup());

  /** Another proxy instance: its own instance id, and (PostgreSQL) its own pool. */
  async function instance(): Promise<JobStore> {
    const [db] = kind === "postgres" ? await t.connect(1) : [t.db];
    return new SqlJobStore(db!, DEFAULT_CATALOG, new SqlAssetRepo(db!));
  }

  async function team(): Promise<Who> {
    const { team, manager } = await t.teams.createTeam({ name: "T", tier: "pro", monthlyCredits: 100, managerName: "M" });
    return { teamId: team.id, memberId: manager.id };
  }

  /** A stall: the jobs' leases lapse while their holder still runs them. */
  const lapse = (ids: readonly string[]) =>
    Promise.all(ids.map((id) => t.db.run("UPDATE jobs SET lease_until = $2 WHERE id = $1", [id, new Date(Date.now() - 60_000).toISOString()])));

  const lease = async (id: string) => (await t.db.one<{ lease_until: string | null; lease_owner: string | null }>("SELECT lease_until, lease_owner FROM jobs WHERE id = $1", [id]))!;

  it("after a takeover, the old holder's renew, release, start and finish change nothing of the new holder's", async () => {
    const a = t.jobs;
    const b = await instance();
    const c = await instance();
    const who = await team();
    const queued = (await a.createWithHold(newJob(who, 1))).job;
    const running = (await a.createWithHold(newJob(who, 2))).job;
    expect(await a.markRunning(running.id)).not.toBeNull();
    expect(await a.renewLeases([queued.id, running.id], 60_000)).toEqual([]); // A holds both

    await lapse([queued.id, running.id]);
    const taken = await b.claimLapsed(60_000);
    expect(taken.map((j) => j.id).sort()).toEqual([queued.id, running.id].sort());
    const byB = { queued: await lease(queued.id), running: await lease(running.id) };
    expect(byB.queued.lease_owner).toBe(b.instanceId);

    // A learns it lost both, and extends nothing.
    expect((await a.renewLeases([queued.id, running.id], 600_000)).sort()).toEqual([queued.id, running.id].sort());
    // A's graceful shutdown releases nothing of B's, so a third instance cannot take the jobs B runs.
    expect(await a.releaseLeases([queued.id, running.id])).toEqual([]);
    expect({ queued: await lease(queued.id), running: await lease(running.id) }).toEqual(byB);
    expect(await c.claimLapsed(60_000)).toEqual([]);
    // A cannot start the queued job, nor capture or release the running one's hold.
    expect(await a.markRunning(queued.id)).toBeNull();
    expect(await a.fail(running.id, FAILED, { asHolder: true })).toMatchObject({ status: "running", held: 2, charged: 0 });
    expect(await a.succeed(running.id, { charge: 2, assets: [asset(1)] }, { asHolder: true })).toMatchObject({ status: "running", held: 2, charged: 0 });
    expect(await t.ledger.getHold(running.holdId!)).toMatchObject({ state: "pending" });
    expect(await t.ledger.balance(who.teamId)).toMatchObject({ held: 4, spent: 0 });

    // B does all of it.
    expect(await b.renewLeases([queued.id, running.id], 60_000)).toEqual([]);
    expect(await b.markRunning(queued.id)).toMatchObject({ status: "running" });
    expect(await b.succeed(running.id, { charge: 2, assets: [asset(1)] }, { asHolder: true })).toMatchObject({ status: "succeeded", charged: 2, held: 0 });
    expect(await b.fail(queued.id, FAILED, { asHolder: true })).toMatchObject({ status: "failed", held: 0 });
    expect(await b.releaseLeases([queued.id])).toEqual([]); // finished: nothing left to hand over
    expect(await t.ledger.balance(who.teamId)).toMatchObject({ held: 0, spent: 2, available: 98 });
    expect(await t.ledger.verify()).toEqual([]);
  });

  it("a handed-over job goes to exactly one instance, and its former holder cannot take the lease back", async () => {
    const a = t.jobs;
    const who = await team();
    const job = (await a.createWithHold(newJob(who, 3))).job;
    expect(await a.releaseLeases([job.id])).toEqual([job.id]);
    const others = [await instance(), await instance(), await instance()];
    const claims = await Promise.all(others.flatMap((s) => [s.claimLapsed(60_000), s.claimLapsed(60_000)]));
    const winners = claims.flatMap((c, i) => c.map(() => others[Math.floor(i / 2)]!));
    expect(winners).toHaveLength(1);
    expect((await lease(job.id)).lease_owner).toBe(winners[0]!.instanceId);
    expect(await a.renewLeases([job.id], 60_000)).toEqual([job.id]);
    expect(await a.markRunning(job.id)).toBeNull();
    expect(await winners[0]!.markRunning(job.id)).toMatchObject({ status: "running" });
  });

  it("when the old holder's finish races a takeover, exactly one of them has the job: never both", async () => {
    // A's capture or release locks the job's row and checks the holder; B's claim is conditional on the lease
    // it saw. Either A finished the job first (B finds nothing to claim) or B claimed it (A changes nothing).
    const a = t.jobs;
    const b = await instance();
    const who = await team();
    const jobs: JobRecord[] = [];
    for (let i = 0; i < 16; i++) jobs.push((await a.createWithHold(newJob(who, 10 + i))).job);
    for (const j of jobs) await a.markRunning(j.id);
    await lapse(jobs.map((j) => j.id));
    const [claimed, ...finished] = await Promise.all([
      b.claimLapsed(60_000),
      ...jobs.map((j, i) => (i % 2 === 0 ? a.succeed(j.id, { charge: 2, assets: [asset(i + 1)] }, { asHolder: true }) : a.fail(j.id, FAILED, { asHolder: true }))),
    ]);
    const takenByB = new Set(claimed.map((j) => j.id));
    for (const [i, j] of jobs.entries()) {
      const byA = finished[i]!.status !== "running";
      expect(byA, j.id).toBe(!takenByB.has(j.id));
      const now = (await t.jobs.getById(j.id))!;
      const hold = (await t.ledger.getHold(j.holdId!))!;
      if (byA) expect([now.status, hold.state]).toEqual(i % 2 === 0 ? ["succeeded", "captured"] : ["failed", "released"]);
      else expect([now.status, hold.state, (await lease(j.id)).lease_owner]).toEqual(["running", "pending", b.instanceId]);
    }
    console.log(`${kind}: of ${jobs.length} racing jobs, ${jobs.length - takenByB.size} finished by their old holder, ${takenByB.size} taken over`);
    expect(await t.ledger.verify()).toEqual([]);
  });
});
