// Issue 16 end to end: two proxy PROCESSES on one PostgreSQL database and one S3-compatible bucket, each with
// its own disk, behaving as one. A client creates on A and follows the job's events on B (B learns of A's
// changes over LISTEN/NOTIFY, promptly); B serves the content of an asset A made; A is SIGKILLed with one job
// at its provider and one waiting behind it (an edit whose uploaded image A stored); B takes both over once
// their leases lapse: the first fails with its hold released (nothing charged), the second runs on B from
// the input bytes A left in the bucket. Then `ledger verify` is clean and no byte is lost or left over.
import sharp from "sharp";
import { expect, it } from "vitest";
import { call, expectBytesWhole, finished, followEvents, getJob, postJob, useScale, waitForJob } from "./support.ts";

const SECRET = "scale-secret-0123456789abcdef";
const suite = useScale();

async function picture(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 30, g: 120, b: 200 } } }).png().toBuffer();
}

it("two proxies, one database, one bucket: events and content across them, and a crash loses nothing", async () => {
  const { scale, stability } = suite;
  const env = {
    STABILITY_API_KEY: stability.apiKey,
    STABILITY_BASE_URL: stability.url,
    // One provider call at a time, so a second job waits in A's queue; short leases, frequent sweeps, so
    // B takes over within a second or two of A's death.
    PROVIDER_CONCURRENCY: "1",
    JOB_LEASE_MS: "1000",
    SWEEP_INTERVAL_MS: "200",
    // s3rver does not check SigV4 signatures, so the secret is free: one that must never reach a log.
    S3_SECRET_ACCESS_KEY: SECRET,
  };
  const [a, b] = await Promise.all([scale.start(env), scale.start(env)]);
  const team = await scale.cluster.createTeam("pro");

  // 1. Created on A (the local provider, on A's cores), its content read on B.
  const made = await postJob(a.url, team.token, { operation: "create", prompt: "a lighthouse at dusk", quality: "draft", aspectRatio: { width: 256, height: 256 }, provider: "local" });
  const done = await waitForJob(b.url, team.token, made.id, finished);
  expect(done).toMatchObject({ status: "succeeded", charged: done.estimate.total });
  const content = await call(b.url, `/v1/assets/${done.assets[0]!.id}/content`, { token: team.token });
  expect(content.status).toBe(200);
  expect((await sharp(Buffer.from(await content.arrayBuffer())).metadata()).width).toBe(done.assets[0]!.width);

  // 2. A job run by A, followed on B. Stability holds its answer for 30 s: the job stays at its provider.
  stability.delayNext("generate/core", 30_000);
  const slow = await postJob(a.url, team.token, { operation: "create", prompt: "a storm over the sea", quality: "standard", provider: "stability" });
  const watch = followEvents(b.url, team.token, slow.id);
  await watch.opened;
  const running = await waitForJob(a.url, team.token, slow.id, (j) => j.status === "running");
  // B sent "running" within milliseconds of A's commit (the database's clock: same machine), not at a poll.
  const until = Date.now() + 5000;
  while (!watch.events.some((e) => e.job.status === "running") && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
  const seen = watch.events.find((e) => e.job.status === "running");
  expect(seen, "B never sent A's running event").toBeDefined();
  const lagMs = seen!.at - Date.parse(running.updatedAt);
  console.log(`B saw A's change ${lagMs.toFixed(0)} ms after A's commit`);
  // Tens of ms on a busy machine; without the news B would only see it at its 30 s safety-net re-read.
  expect(lagMs).toBeLessThan(1000);

  // 3. An edit whose upload A stored in the bucket, waiting behind the slow job in A's queue.
  const upload = await picture(320, 240);
  const queued = await postJob(a.url, team.token, { operation: "edit", kind: "remove-background", provider: "stability" }, { image: upload });
  expect(queued.status).toBe("queued");
  expect((await getJob(a.url, team.token, queued.id)).status).toBe("queued");

  // 4. A dies where it stands.
  await a.stop("SIGKILL");
  expect(await getJob(b.url, team.token, slow.id)).toMatchObject({ status: "running", held: slow.held });

  // 5. B takes both over once their leases lapse.
  const failed = await waitForJob(b.url, team.token, slow.id, finished);
  expect(failed).toMatchObject({ status: "failed", charged: 0, held: 0, assets: [] });
  const edited = await waitForJob(b.url, team.token, queued.id, finished);
  expect(edited, JSON.stringify(edited.error)).toMatchObject({ status: "succeeded", charged: edited.estimate.total, held: 0 });
  // B read the input bytes A had stored (without them the job fails "missing from storage") and sent them.
  const sent = stability.requestsTo("edit/remove-background");
  expect(sent).toHaveLength(1);
  const edit = await call(b.url, `/v1/assets/${edited.assets[0]!.id}/content`, { token: team.token });
  expect(edit.status).toBe(200);
  // The stream on B saw it all through and ended with the failure B itself made.
  await watch.done;
  expect(watch.events.map((e) => e.job.status)).toEqual(expect.arrayContaining(["running", "failed"]));
  expect(watch.events.at(-1)!.job.status).toBe("failed");

  // 6. The ledger is whole, as the operator's `ledger verify` says, and no byte is lost or left over.
  const verified = await scale.cluster.verify();
  expect(verified.code, verified.output).toBe(0);
  expect(verified.result).toMatchObject({ ok: true, drift: [] });
  const held = await scale.cluster.stores.db.one<{ n: number }>("SELECT count(*) AS n FROM holds WHERE team_id = $1 AND state = 'pending'", [team.teamId]);
  expect(held!.n).toBe(0);
  expect(await expectBytesWhole(scale, team.token, team.teamId, [b.url], [a, b])).toBe(2);
  expect(a.stdout() + a.stderr() + b.stdout() + b.stderr()).not.toContain(SECRET);
}, 60_000);
