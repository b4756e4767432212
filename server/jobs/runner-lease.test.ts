// The runner when its process lost a job's lease (docs/ledger.md invariant 4): the lease lapsed (a database
// stall longer than JOB_LEASE_MS) and another instance took the job over. This runner stops working on it
// and neither starts, captures nor releases it; what it hands over on shutdown releases nothing of the new
// holder's. "Instance B" is a job store with its own instance id (its own pool on PostgreSQL).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import { SqlAssetRepo } from "../assets/asset-repo.ts";
import { parseConfig } from "../config.ts";
import { createLogger } from "../logger.ts";
import { CircuitBreaker } from "../providers/circuit-breaker.ts";
import { ProviderQueue } from "../providers/provider-queue.ts";
import { builtInAdapters, ProviderRegistry } from "../providers/registry.ts";
import type { ProviderAdapter } from "../providers/types.ts";
import { Slots } from "../slots.ts";
import { DB_KINDS } from "../test-support/databases.ts";
import { gatedProvider } from "../test-support/fake-providers.ts";
import { newJobRequest } from "../test-support/job-requests.ts";
import { openTestStores, type TestStores } from "../test-support/test-stores.ts";
import { JobRunner } from "./job-runner.ts";
import { SqlJobStore } from "./job-store.ts";
import type { JobRecord, JobStore } from "./types.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.each(DB_KINDS)("the job runner after losing a lease, on %s", (kind) => {
  let t: TestStores;
  let teamId: string;
  let memberId: string;
  beforeEach(async () => {
    t = await openTestStores(kind);
    const { team, manager } = await t.teams.createTeam({ name: "T", tier: "pro", monthlyCredits: 100, managerName: "M" });
    teamId = team.id;
    memberId = manager.id;
  });
  afterEach(() => t.cleanup());

  /** A runner of this instance (t.jobs) with `slots` provider slots; its heartbeat renews every leaseMs / 3. */
  function runner(adapter: ProviderAdapter, leaseMs: number, slots = 2): JobRunner {
    const providers = new ProviderRegistry(DEFAULT_CATALOG, [...builtInAdapters(parseConfig({}), () => undefined), adapter], () => undefined, t.retiredModels);
    return new JobRunner({
      jobs: t.jobs,
      teams: t.teams,
      blobs: t.blobs,
      providers,
      catalog: DEFAULT_CATALOG,
      logger: createLogger("silent"),
      jobTimeoutMs: 30_000,
      leaseMs,
      queue: new ProviderQueue({ defaultLimit: slots }),
      breaker: new CircuitBreaker(),
      imageWork: new Slots(2),
    });
  }

  async function instanceB(): Promise<JobStore> {
    const [db] = kind === "postgres" ? await t.connect(1) : [t.db];
    return new SqlJobStore(db!, DEFAULT_CATALOG, new SqlAssetRepo(db!));
  }

  async function submit(): Promise<JobRecord> {
    const { job } = await t.jobs.createWithHold(newJobRequest({ teamId, memberId }, { prompt: "a kite", aspectRatio: { width: 128, height: 96 } }));
    return job;
  }

  /** The stall: the job's lease lapses under this instance, and B's sweep takes the job over. */
  async function takeOver(b: JobStore, jobId: string): Promise<void> {
    await t.db.run("UPDATE jobs SET lease_until = $2 WHERE id = $1", [jobId, new Date(Date.now() - 60_000).toISOString()]);
    expect((await b.claimLapsed(60_000)).map((j) => j.id)).toEqual([jobId]);
  }

  const owner = async (jobId: string) => (await t.db.one<{ lease_owner: string }>("SELECT lease_owner FROM jobs WHERE id = $1", [jobId]))!.lease_owner;

  it("stops a running job another instance took over at its next heartbeat, and neither captures nor releases it", async () => {
    const gated = gatedProvider();
    const r = runner(gated, 300); // heartbeat every 100 ms
    const b = await instanceB();
    const job = await submit();
    r.enqueue(job.id);
    await gated.started;
    await takeOver(b, job.id);
    // The heartbeat finds the lease gone and lets the job go, though its provider call has not answered.
    const stopped = await Promise.race([r.idle().then(() => true), sleep(3000).then(() => false)]);
    gated.release(); // the provider answers now: too late for this runner
    await r.idle();
    expect(stopped).toBe(true);
    expect(await t.jobs.getById(job.id)).toMatchObject({ status: "running", held: 2, charged: 0 });
    expect(await t.ledger.getHold(job.holdId!)).toMatchObject({ state: "pending" });
    expect(await owner(job.id)).toBe(b.instanceId);
    // The holder finishes it, once.
    expect(await b.succeed(job.id, { charge: 2, assets: [] }, { asHolder: true })).toMatchObject({ status: "succeeded", charged: 2 });
    expect(await t.ledger.balance(teamId)).toMatchObject({ held: 0, spent: 2, available: 98 });
    expect(await t.ledger.verify()).toEqual([]);
    await r.stop();
  });

  it("never starts a queued job another instance took over while it waited for a provider slot", async () => {
    const gated = gatedProvider();
    const r = runner(gated, 60_000, 1); // one slot; no heartbeat within the test
    const b = await instanceB();
    const first = await submit();
    const waiting = await submit();
    r.enqueue(first.id);
    r.enqueue(waiting.id);
    await gated.started;
    await takeOver(b, waiting.id);
    gated.release(); // the slot frees: the waiting job's turn, but it is B's now
    await r.idle();
    expect(await t.jobs.getById(first.id)).toMatchObject({ status: "succeeded", charged: 2 });
    expect(await t.jobs.getById(waiting.id)).toMatchObject({ status: "queued", held: 2, charged: 0 });
    expect(await b.markRunning(waiting.id)).toMatchObject({ status: "running" }); // B runs it
    expect(await t.ledger.balance(teamId)).toMatchObject({ held: 2, spent: 2 });
    await r.stop();
  });

  it("on a graceful shutdown, neither fails nor releases the jobs another instance took over", async () => {
    const gated = gatedProvider();
    const r = runner(gated, 60_000, 1);
    const b = await instanceB();
    const c = await instanceB();
    const first = await submit();
    const running = await submit(); // B takes it over and starts it
    const queued = await submit(); // B takes it over; it waits in B's line
    for (const j of [first, running, queued]) r.enqueue(j.id);
    await gated.started;
    await takeOver(b, running.id);
    expect(await b.markRunning(running.id)).not.toBeNull();
    await takeOver(b, queued.id);
    const left = await r.stop({ handOver: true });
    // The shutdown's hand-over: compose.ts releases the leases of what the runner left.
    await t.jobs.releaseLeases(left);
    expect(await t.jobs.getById(running.id)).toMatchObject({ status: "running", held: 2 });
    expect(await t.jobs.getById(queued.id)).toMatchObject({ status: "queued", held: 2 });
    expect(await t.ledger.getHold(running.holdId!)).toMatchObject({ state: "pending" });
    // The job this instance held at its provider failed, released; B's keep B's leases: no third taker.
    expect(await t.jobs.getById(first.id)).toMatchObject({ status: "failed", held: 0 });
    expect([await owner(running.id), await owner(queued.id)]).toEqual([b.instanceId, b.instanceId]);
    expect(await c.claimLapsed(60_000)).toEqual([]);
    expect(await t.ledger.balance(teamId)).toMatchObject({ held: 4, spent: 0 });
    gated.release();
  });
});
