// POST /v1/batches and friends through real HTTP on both databases: one price and one hold per item taken
// together, each item its own provider call, charged the sum over delivered items, replays that create
// nothing, refusals that hold and store nothing, cancel, the tier's limit and the events stream.
import { randomUUID } from "node:crypto";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_STATUS, type ErrorCode } from "../../../core/api/errors.ts";
import { createBatch } from "../../../core/batch.ts";
import { ledgerPageSchema, usageResponseSchema } from "../../../core/api/reports.ts";
import { batchItemEventSchema, batchResponseSchema, estimateSchema, jobResponseSchema, meSchema, type BatchView } from "../../../core/api/responses.ts";
import { expectApiError } from "../../test-support/api-assertions.ts";
import { createTestDatabaseUrl, DB_KINDS, type TestDatabaseUrl } from "../../test-support/databases.ts";
import { gatedProvider } from "../../test-support/fake-providers.ts";
import { startStabilityFake, stabilityError, type StabilityFake } from "../../test-support/fakes/stability-fake.ts";
import { createSpec, SMALL, startTestServer, type TestServer } from "../../test-support/harness.ts";

const png = (width: number, height: number, shade = 255) =>
  sharp({ create: { width, height, channels: 3, background: { r: shade, g: 255 - shade, b: 128 } } }).png().toBuffer();

/** A multipart batch: `batch` JSON plus `items.<i>.image` for each image given. */
function batchForm(items: unknown[], images: Buffer[]): FormData {
  const form = new FormData();
  form.set("batch", JSON.stringify({ items }));
  images.forEach((bytes, i) => form.set(`items.${i}.image`, new Blob([bytes], { type: "image/png" }), `${i}.png`));
  return form;
}

const expectError = (res: Response, code: ErrorCode) => expectApiError(res, ERROR_STATUS[code], code);

/** Every file under DATA_DIR but the database: uploads on their way in (tmp/) and stored bytes (assets/). */
async function files(dataDir: string): Promise<Set<string>> {
  const entries = await readdir(dataDir, { withFileTypes: true, recursive: true });
  return new Set(entries.filter((e) => e.isFile() && !e.name.startsWith("studio.db")).map((e) => join(e.parentPath, e.name)));
}
/** The files that appeared since `before`: a refused request must add none. */
const added = async (dataDir: string, before: Set<string>) => [...(await files(dataDir))].filter((f) => !before.has(f));

for (const kind of DB_KINDS) {
  describe(`batches (${kind})`, () => {
    let db: TestDatabaseUrl | undefined;
    let s: TestServer;
    let stability: StabilityFake;

    beforeAll(async () => {
      db = kind === "postgres" ? await createTestDatabaseUrl("postgres") : undefined;
      stability = await startStabilityFake();
      s = await startTestServer({
        env: { STABILITY_API_KEY: stability.apiKey, STABILITY_BASE_URL: stability.url, ...(db ? { DATABASE_URL: db.url } : {}) },
      });
    });
    afterAll(async () => {
      await s?.close();
      await stability?.close();
      await db?.cleanup();
    });

    const me = async (token: string) => meSchema.parse(await (await s.call("/v1/me", { token })).json());
    const post = (token: string, body: FormData | unknown, key: string | null = randomUUID()) =>
      s.call("/v1/batches", { token, ...(body instanceof FormData ? { body } : { json: body }), headers: key ? { "Idempotency-Key": key } : {} });
    const batchOf = async (res: Response) => batchResponseSchema.parse(await res.json()).batch;
    const waitForBatch = async (token: string, id: string, timeoutMs = 20_000): Promise<BatchView> => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const batch = await batchOf(await s.call(`/v1/batches/${id}`, { token }));
        if (["succeeded", "partial", "failed"].includes(batch.status)) return batch;
        if (Date.now() > until) throw new Error(`batch ${id} still ${batch.status}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    };
    const upscales = (n: number, provider = "stability") => Array.from({ length: n }, () => ({ operation: "upscale", mode: "fast", provider }));

    it("upscales 5 images as one batch: the estimate's 10 credits held item by item, each a provider call, 10 charged", async () => {
      const { team, token } = await s.createTeam("pro");
      const quote = estimateSchema.parse(
        await (await s.call("/v1/estimate", { token, json: { items: upscales(5).map((i) => ({ ...i, input: { width: 256, height: 256 } })) } })).json(),
      );
      expect(quote.total).toBe(10);
      const before = await me(token);
      stability.reset();
      const images = await Promise.all([0, 1, 2, 3, 4].map((i) => png(256, 256, i * 40)));

      const res = await post(token, batchForm(upscales(5), images));
      expect(res.status).toBe(202);
      const accepted = await batchOf(res);
      expect(res.headers.get("location")).toBe(`/v1/batches/${accepted.id}`);
      expect(accepted).toMatchObject({ operation: "upscale", cancelled: false, charged: 0, progress: { total: 5 } });
      expect(accepted.estimate.total).toBe(10);
      expect(accepted.items.map((j) => j.batch)).toEqual([0, 1, 2, 3, 4].map((index) => ({ id: accepted.id, index })));
      expect(accepted.items.map((j) => j.estimate.total)).toEqual([2, 2, 2, 2, 2]);

      const done = await waitForBatch(token, accepted.id);
      expect(done).toMatchObject({ status: "succeeded", held: 0, charged: 10, progress: { succeeded: 5, failed: 0, cancelled: 0 } });
      expect(stability.requestsTo("upscale/fast")).toHaveLength(5);
      for (const item of done.items) expect(item.assets).toHaveLength(1);
      // Each item's result is its own source upscaled (the fake answers 4x the input's size).
      expect(done.items.map((j) => [j.assets[0]!.width, j.assets[0]!.height])).toEqual(Array(5).fill([1024, 1024]));

      const after = await me(token);
      expect(after.balance.available).toBe(before.balance.available! - 10);
      expect(after.balance).toMatchObject({ held: 0, spent: 10 });
      // Each item is a normal job in the ledger: its own hold and capture.
      for (const item of done.items) {
        const entries = await s.deps.stores.ledger.entries(team.id, { jobId: item.id });
        expect(entries.map((e) => [e.kind, e.amount])).toEqual([["hold", 2], ["capture", 2]]);
        const single = jobResponseSchema.parse(await (await s.call(`/v1/jobs/${item.id}`, { token })).json()).job;
        expect(single.batch).toEqual(item.batch);
      }
    });

    it("releases a failed item's share as soon as it fails and charges only the delivered items: 8 of 10, 4 results", async () => {
      const { token } = await s.createTeam("pro");
      const before = await me(token);
      stability.reset();
      // The third request fails at once; the others take their time, so the failure lands while they run.
      for (const i of [0, 1, 2, 3, 4])
        if (i === 2) stability.failNext("upscale/fast", { status: 500, body: stabilityError("internal_error", ["the upscaler fell over"]) });
        else stability.delayNext("upscale/fast", 1500);
      const images = await Promise.all([0, 1, 2, 3, 4].map((i) => png(256, 256, i * 40)));

      const accepted = await batchOf(await post(token, batchForm(upscales(5), images)));
      let during: BatchView;
      for (;;) {
        during = await batchOf(await s.call(`/v1/batches/${accepted.id}`, { token }));
        if (during.progress.failed === 1) break;
        await new Promise((r) => setTimeout(r, 10));
      }
      // Its share is back while the four others still run, held.
      expect(during).toMatchObject({ status: "running", held: 8, charged: 0, progress: { running: 4 } });
      expect((await me(token)).balance).toMatchObject({ held: 8, available: before.balance.available! - 8 });
      const done = await waitForBatch(token, accepted.id);
      expect(done).toMatchObject({ status: "partial", held: 0, charged: 8, progress: { succeeded: 4, failed: 1, cancelled: 0 } });
      const failed = done.items.filter((j) => j.status === "failed");
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ charged: 0, held: 0, assets: [], error: { code: "provider_error" } });
      expect(failed[0]!.error!.message).toMatch(/Nothing was charged/);
      expect(done.items.filter((j) => j.status === "succeeded").flatMap((j) => j.assets)).toHaveLength(4);
      const after = await me(token);
      expect(after.balance.available).toBe(before.balance.available! - 8);
      expect(after.balance).toMatchObject({ held: 0, spent: 8 });
    });

    it("shows a batch's items as normal jobs in usage and the ledger, and stores identical images once", async () => {
      const { token } = await s.createTeam("pro");
      stability.reset();
      const same = await png(256, 256, 77);
      const done = await waitForBatch(token, (await batchOf(await post(token, batchForm(upscales(3), [same, same, await png(256, 256, 5)])))).id);
      expect(done).toMatchObject({ status: "succeeded", charged: 6 });
      const usage = usageResponseSchema.parse(await (await s.call("/v1/usage?groupBy=operation,provider", { token })).json());
      expect(usage.rows).toEqual([expect.objectContaining({ operation: "upscale.fast", provider: "stability", credits: 6, jobs: 3, images: 3 })]);
      const ledger = ledgerPageSchema.parse(await (await s.call(`/v1/ledger?job=${done.items[1]!.id}`, { token })).json());
      expect(ledger.entries.map((e) => [e.kind, e.amount]).sort()).toEqual([["capture", 2], ["hold", 2]]);
      // Two items sent the same bytes: each job read them, as its own input.
      expect(stability.requestsTo("upscale/fast")).toHaveLength(3);
    });

    it("makes example 4's 20 drafts of one prompt as a batch of two 10-variation items: 40 credits, 20 distinct images", async () => {
      const { token } = await s.createTeam("pro");
      const before = await me(token);
      const batch = createBatch({ operation: "create", prompt: "a ceramic mug, product shot", quality: "draft", provider: "auto", variations: 1, aspectRatio: SMALL, seed: 40 }, 20, 10);
      const accepted = await batchOf(await post(token, batch));
      expect(accepted.estimate.total).toBe(40);
      expect(accepted.items.map((j) => [j.estimate.total, j.progress.total])).toEqual([
        [20, 10],
        [20, 10],
      ]);
      const done = await waitForBatch(token, accepted.id);
      expect(done).toMatchObject({ status: "succeeded", charged: 40 });
      const assets = done.items.flatMap((j) => j.assets);
      expect(assets).toHaveLength(20);
      // The seed carries on from item to item: no image is made twice.
      const bytes = await Promise.all(assets.map(async (a) => Buffer.from(await (await s.call(a.url, { token })).arrayBuffer()).toString("base64")));
      expect(new Set(bytes).size).toBe(20);
      expect((await me(token)).balance.available).toBe(before.balance.available! - 40);
    });

    it("answers a retry with the same Idempotency-Key with the same batch and holds nothing again; another body is a mismatch", async () => {
      const { team, token } = await s.createTeam("pro");
      const items = [createSpec({ aspectRatio: SMALL }), createSpec({ aspectRatio: SMALL, prompt: "a fox" })];
      const key = randomUUID();
      const first = await post(token, { items }, key);
      expect(first.status).toBe(202);
      const batch = await batchOf(first);
      const replays = await Promise.all(Array.from({ length: 10 }, () => post(token, { items }, key)));
      for (const r of replays) {
        expect(r.status).toBe(200);
        expect(r.headers.get("idempotent-replayed")).toBe("true");
        expect((await batchOf(r)).id).toBe(batch.id);
      }
      await waitForBatch(token, batch.id);
      const holds = (await s.deps.stores.ledger.entries(team.id)).filter((e) => e.kind === "hold");
      expect(holds).toHaveLength(2);
      const other = await expectError(await post(token, { items: [items[0]] }, key), "idempotency_mismatch");
      expect(other.details).toMatchObject({ batchId: batch.id });
    });

    it("refuses a batch over the tier's maxBatch with 400 before anything is held or stored", async () => {
      const { team, token } = await s.createTeam("free");
      const before = await me(token);
      const stored = await files(s.dataDir);
      const images = await Promise.all([0, 1, 2, 3, 4, 5].map((i) => png(128, 128, i * 30)));
      const error = await expectError(await post(token, batchForm(upscales(6, "auto"), images)), "invalid_request");
      expect(error.details).toMatchObject({ maxBatch: 5, items: 6, tier: "free" });
      expect(await me(token)).toEqual(before);
      expect((await s.deps.stores.ledger.entries(team.id)).map((e) => e.kind)).toEqual(["grant"]);
      expect(await added(s.dataDir, stored)).toEqual([]);
    });

    it("refuses the whole batch, naming the item, when one item is refused; nothing held, nothing stored", async () => {
      const { team, token } = await s.createTeam("pro");
      const entries = (await s.deps.stores.ledger.entries(team.id)).length;
      const stored = await files(s.dataDir);
      const images = [await png(256, 256), await png(256, 256, 9), await png(16, 16)];
      const error = await expectError(await post(token, batchForm(upscales(3), images)), "unsupported_image");
      expect(error.details).toMatchObject({ item: 2, part: "image" });
      const bad = await expectError(await post(token, { items: [createSpec(), createSpec({ quality: "ultra" })] }), "invalid_request");
      expect(bad.details).toMatchObject({ item: 1 });
      expect(Object.keys((bad.details as { fields: object }).fields)).toEqual(["items.1.quality"]);
      const missing = await expectError(await post(token, batchForm([...upscales(2), ...upscales(1)], images.slice(0, 2))), "invalid_request");
      expect(missing.details).toMatchObject({ item: 2, fields: { "items.2.image": expect.any(String) } });
      expect(await s.deps.stores.ledger.entries(team.id)).toHaveLength(entries);
      expect((await s.deps.stores.db.all("SELECT id FROM batches WHERE team_id = $1", [team.id])).length).toBe(0);
      expect(await added(s.dataDir, stored)).toEqual([]);
    });

    it("reads only the batch part and items.<i>.<part> image parts, naming what it refuses", async () => {
      const { token } = await s.createTeam("pro");
      const stored = await files(s.dataDir);
      const image = new Blob([await png(128, 128)], { type: "image/png" });
      const send = async (name: string, batch: unknown = { items: upscales(1) }) => {
        const form = new FormData();
        form.set("batch", JSON.stringify(batch));
        form.set(name, image, "x.png");
        return expectError(await post(token, form), "invalid_request");
      };
      for (const name of ["items.01.image", "items.100.image", "items.0.picture", "image", "spec"])
        expect((await send(name)).details).toMatchObject({ fields: { [name]: expect.stringMatching(/not a known part/) } });
      // An image for an item the batch does not have.
      expect((await send("items.1.image")).details).toMatchObject({ item: 1 });
      const broken = new FormData();
      broken.set("batch", "{ not json");
      expect((await expectError(await post(token, broken), "invalid_request")).details).toMatchObject({ fields: { batch: "is not valid JSON" } });
      expect(await added(s.dataDir, stored)).toEqual([]);
    });

    it("holds all of a batch or none of it against the balance", async () => {
      const { team, token } = await s.createTeam("pro", { monthlyCredits: 9 });
      const images = await Promise.all([0, 1, 2, 3, 4].map((i) => png(256, 256, i * 40 + 3)));
      const stored = await files(s.dataDir);
      const error = await expectError(await post(token, batchForm(upscales(5), images)), "insufficient_credits");
      expect(error.details).toMatchObject({ needed: 10, available: 9 });
      expect((await me(token)).balance).toMatchObject({ available: 9, held: 0 });
      expect((await s.deps.stores.ledger.entries(team.id)).filter((e) => e.kind === "hold")).toEqual([]);
      expect(await added(s.dataDir, stored)).toEqual([]); // refused in the transaction, after the images were read
    });

    it("holds a batch charged to a project all or nothing against the project's budget", async () => {
      const { team, token } = await s.createTeam("pro");
      const created = await s.call("/v1/projects", { token, json: { name: "Spring campaign", budget: 10 } });
      expect(created.status).toBe(201);
      const { project } = (await created.json()) as { project: { id: string } };
      const items = (tag: string) => Array.from({ length: 3 }, (_, i) => createSpec({ aspectRatio: SMALL, prompt: `${tag} ${i}`, projectId: project.id }));
      const first = await batchOf(await post(token, { items: items("first") }));
      expect(first.estimate.total).toBe(6);
      // 4 left of the budget: a second batch of 6 is refused whole, nothing of it held.
      await expectError(await post(token, { items: items("second") }), "project_budget_reached");
      expect((await s.deps.stores.db.all("SELECT id FROM batches WHERE team_id = $1", [team.id])).length).toBe(1);
      const done = await waitForBatch(token, first.id);
      expect(done).toMatchObject({ status: "succeeded", charged: 6 });
      const split = await expectError(await post(token, { items: [items("x")[0], createSpec({ aspectRatio: SMALL })] }), "invalid_request");
      expect(split.details).toMatchObject({ item: 1, fields: { "items.1.projectId": expect.any(String) } });
    });

    it("cancels the rest: queued items fail as cancelled with their shares released at once; the running one finishes and is charged", async () => {
      // A gated "stability" holds the first item running; with one slot for it, the other items wait queued.
      const gated = gatedProvider("stability");
      const own = await startTestServer({
        adapters: [gated],
        env: { STABILITY_API_KEY: "sk-not-used", PROVIDER_CONCURRENCY: "1", ...(db ? { DATABASE_URL: db.url } : {}) },
      });
      try {
        const { token } = await own.createTeam("pro");
        const me2 = async () => meSchema.parse(await (await own.call("/v1/me", { token })).json()).balance;
        const items = Array.from({ length: 4 }, (_, i) => createSpec({ provider: "stability", aspectRatio: "1:1", prompt: `tile ${i}` }));
        const res = await own.call("/v1/batches", { token, json: { items }, headers: { "Idempotency-Key": randomUUID() } });
        const batch = batchResponseSchema.parse(await res.json()).batch;
        const each = batch.items[0]!.estimate.total;
        let view: BatchView;
        for (;;) {
          view = batchResponseSchema.parse(await (await own.call(`/v1/batches/${batch.id}`, { token })).json()).batch;
          if (view.progress.running === 1) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        const held = (await me2()).held;
        expect(held).toBe(4 * each);
        const stream = (await own.call(`/v1/batches/${batch.id}/events`, { token })).text();
        const cancel = await own.call(`/v1/batches/${batch.id}/cancel`, { token, method: "POST" });
        expect(cancel.status).toBe(200);
        const cancelled = batchResponseSchema.parse(await cancel.json()).batch;
        expect(cancelled).toMatchObject({ cancelled: true, held: each, progress: { running: 1, cancelled: 3, failed: 3 } });
        for (const item of cancelled.items.filter((j) => j.status === "failed"))
          expect(item).toMatchObject({ held: 0, charged: 0, error: { code: "cancelled", message: expect.stringMatching(/Nothing was charged/) } });
        // Released at once, before the running item finishes.
        expect((await me2()).held).toBe(each);
        // Idempotent.
        const again = batchResponseSchema.parse(await (await own.call(`/v1/batches/${batch.id}/cancel`, { token, method: "POST" })).json()).batch;
        expect(again.progress.cancelled).toBe(3);
        gated.release();
        let end: BatchView;
        for (;;) {
          end = batchResponseSchema.parse(await (await own.call(`/v1/batches/${batch.id}`, { token })).json()).batch;
          if (end.status !== "running") break;
          await new Promise((r) => setTimeout(r, 20));
        }
        expect(end).toMatchObject({ status: "partial", charged: each, held: 0, progress: { succeeded: 1, cancelled: 3 } });
        // The events stream told of each cancelled item and of the batch's end.
        const events = (await stream)
          .split("\n\n")
          .filter((b) => b.includes("event:"))
          .map((b) => ({ event: /event: (\w+)/.exec(b)![1]!, data: JSON.parse(/data: (.*)/.exec(b)![1]!) as unknown }));
        const cancelledItems = events.filter((e) => e.event === "item").map((e) => batchItemEventSchema.parse(e.data)).filter((e) => e.job.error?.code === "cancelled");
        expect(new Set(cancelledItems.map((e) => e.index)).size).toBe(3);
        expect(batchResponseSchema.parse(events.at(-1)!.data).batch).toMatchObject({ status: "partial", cancelled: true });
        expect(await me2()).toMatchObject({ held: 0, spent: each });
      } finally {
        await own.close();
      }
    });

    it("holds later items longer, one job timeout per wave of provider slots ahead of them, so waiting never expires a hold", async () => {
      const own = await startTestServer({ env: { PROVIDER_CONCURRENCY: "2", JOB_TIMEOUT_MS: "10000", HOLD_MARGIN_MS: "1000", ...(db ? { DATABASE_URL: db.url } : {}) } });
      try {
        const { token } = await own.createTeam("pro");
        const items = Array.from({ length: 5 }, (_, i) => createSpec({ aspectRatio: SMALL, prompt: `wave ${i}` }));
        const res = await own.call("/v1/batches", { token, json: { items }, headers: { "Idempotency-Key": randomUUID() } });
        const batch = batchResponseSchema.parse(await res.json()).batch;
        const lifetimes = await Promise.all(
          batch.items.map(async (job) => {
            const hold = (await own.deps.stores.ledger.getHold((await own.deps.stores.jobs.getById(job.id))!.holdId!))!;
            return Math.round((Date.parse(hold.expiresAt) - Date.parse(hold.createdAt)) / 1000);
          }),
        );
        expect(lifetimes).toEqual([11, 11, 21, 21, 31]);
        await own.deps.runner.idle();
      } finally {
        await own.close();
      }
    });

    it("lets only the batch's creator or a manager cancel it, and hides other teams' batches", async () => {
      const t = await s.createTeam("pro");
      const member = await s.deps.stores.teams.addMember({ teamId: t.team.id, name: "M", role: "member", monthlyCap: null });
      const other = await s.deps.stores.teams.addMember({ teamId: t.team.id, name: "N", role: "member", monthlyCap: null });
      const batch = await batchOf(await post(member.token, { items: [createSpec({ aspectRatio: SMALL })] }));
      await expectError(await s.call(`/v1/batches/${batch.id}/cancel`, { token: other.token, method: "POST" }), "forbidden");
      expect((await s.call(`/v1/batches/${batch.id}/cancel`, { token: t.token, method: "POST" })).status).toBe(200);
      // Once every item has finished there is nothing left to cancel: the batch stays as it ended.
      const finished = await batchOf(await post(member.token, { items: [createSpec({ aspectRatio: SMALL, prompt: "quick" })] }));
      await waitForBatch(member.token, finished.id);
      const late = await batchOf(await s.call(`/v1/batches/${finished.id}/cancel`, { token: member.token, method: "POST" }));
      expect(late).toMatchObject({ status: "succeeded", cancelled: false, progress: { cancelled: 0 } });
      const stranger = await s.createTeam("pro");
      await expectError(await s.call(`/v1/batches/${batch.id}`, { token: stranger.token }), "not_found");
      await expectError(await s.call(`/v1/batches/${batch.id}/cancel`, { token: stranger.token, method: "POST" }), "not_found");
      await expectError(await s.call(`/v1/batches/${batch.id}/events`, { token: stranger.token }), "not_found");
      await waitForBatch(t.token, batch.id);
    });

    it("streams a batch event first and last and an item event for each item's changes", async () => {
      const { token } = await s.createTeam("pro");
      const items = Array.from({ length: 3 }, (_, i) => createSpec({ aspectRatio: SMALL, prompt: `poster ${i}` }));
      const batch = await batchOf(await post(token, { items }));
      const res = await s.call(`/v1/batches/${batch.id}/events`, { token });
      expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
      const text = await res.text();
      const events = text
        .split("\n\n")
        .filter((b) => b.includes("event:"))
        .map((b) => ({ event: /event: (\w+)/.exec(b)![1]!, data: JSON.parse(/data: (.*)/.exec(b)![1]!) as unknown }));
      expect(events[0]!.event).toBe("batch");
      const last = events.at(-1)!;
      expect(last.event).toBe("batch");
      expect(batchResponseSchema.parse(last.data).batch).toMatchObject({ status: "succeeded", progress: { succeeded: 3 } });
      const itemEvents = events.filter((e) => e.event === "item").map((e) => batchItemEventSchema.parse(e.data));
      for (const index of [0, 1, 2]) {
        const mine = itemEvents.filter((e) => e.index === index);
        // Unless it had already finished when the stream began, each item's end is an item event of its own.
        const finishedAtStart = (batchResponseSchema.parse(events[0]!.data).batch.items[index]!.status === "succeeded");
        if (!finishedAtStart) expect(mine.at(-1)!.job.status).toBe("succeeded");
        for (const e of mine) expect(e.batchId).toBe(batch.id);
      }
    });
  });
}
