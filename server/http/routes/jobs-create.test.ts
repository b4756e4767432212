import { randomBytes } from "node:crypto";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ERROR_STATUS, type ErrorCode } from "../../../core/api/errors.ts";
import { estimateSchema, jobResponseSchema, meSchema, type Job } from "../../../core/api/responses.ts";
import { PROMPT_MAX } from "../../../core/api/specs.ts";
import { failingProvider } from "../../test-support/fake-providers.ts";
import { startStabilityFake } from "../../test-support/fakes/stability-fake.ts";
import { spawnServer } from "../../test-support/spawn-server.ts";
import { balanceFromEntries } from "../../test-support/test-stores.ts";
import { expectApiError } from "../../test-support/api-assertions.ts";
import { type CallOptions, createSpec, SMALL, startTestServer, type TestServer } from "../../test-support/harness.ts";

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(() => s.close());


const pngOf = (width: number, height: number) => sharp({ create: { width, height, channels: 3, background: "#fff" } }).png().toBuffer();

/** A multipart inpaint request: a 128x128 image and (unless `mask: null`) a mask of the same size. */
async function inpaintForm(o: { mask?: Buffer | null } = {}): Promise<FormData> {
  const form = new FormData();
  form.set("spec", JSON.stringify({ operation: "edit", kind: "inpaint", prompt: "a red door" }));
  form.set("image", new Blob([await pngOf(128, 128)], { type: "image/png" }), "image.png");
  const mask = o.mask === undefined ? await pngOf(128, 128) : o.mask;
  if (mask) form.set("mask", new Blob([mask], { type: "image/png" }), "mask.png");
  return form;
}

async function me(token: string) {
  return meSchema.parse(await (await s.call("/v1/me", { token })).json());
}

async function postJob(token: string | null, json: unknown, headers: Record<string, string> = {}) {
  return s.call("/v1/jobs", { token, json, headers });
}

async function jobOf(res: Response): Promise<Job> {
  return jobResponseSchema.parse(await res.json()).job;
}

const expectError = (res: Response, code: ErrorCode) => expectApiError(res, ERROR_STATUS[code], code);

describe("POST /v1/jobs", () => {
  it("holds the estimate, runs the local provider, stores PNGs of the requested size and charges the estimate", async () => {
    const { team, token } = await s.createTeam("pro");
    const spec = createSpec({ aspectRatio: "16:9", variations: 2 });
    const quote = estimateSchema.parse(await (await s.call("/v1/estimate", { token, json: spec })).json());
    const before = await me(token);

    const res = await postJob(token, spec, { "Idempotency-Key": "happy-1" });
    expect(res.status).toBe(202);
    const accepted = await jobOf(res);
    expect(res.headers.get("location")).toBe(`/v1/jobs/${accepted.id}`);
    expect(accepted).toMatchObject({ operation: "create", held: quote.total, charged: 0, route: { provider: "local", model: "procedural" } });
    expect(["queued", "running"]).toContain(accepted.status);
    expect(accepted.estimate).toEqual(quote);

    const done = await s.waitForJob(token, accepted.id);
    expect(done).toMatchObject({ status: "succeeded", charged: quote.total, held: 0, progress: { stage: "done", completed: 2, total: 2 } });
    expect(done.assets).toHaveLength(2);
    expect(done.assets.reduce((n, a) => n + a.cost, 0)).toBe(quote.total);
    for (const asset of done.assets) {
      const content = await s.call(asset.url, { token });
      expect(content.status).toBe(200);
      const meta = await sharp(Buffer.from(await content.arrayBuffer())).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(["png", 1344, 768]);
    }

    const after = await me(token);
    expect(after.balance.available).toBe(before.balance.available! - quote.total);
    expect(after.balance).toMatchObject({ held: 0, spent: quote.total });
    expect(after.member.spent).toBe(quote.total);
    const entries = await s.deps.stores.ledger.entries(team.id, { jobId: done.id });
    expect(entries.map((e) => [e.kind, e.amount])).toEqual([["hold", quote.total], ["capture", quote.total]]);
  });

  it("accepts a prompt of exactly 10,000 characters", async () => {
    const { token } = await s.createTeam("pro");
    const res = await postJob(token, createSpec({ prompt: "a".repeat(PROMPT_MAX), aspectRatio: SMALL }));
    expect(res.status).toBe(202);
    expect((await s.waitForJob(token, (await jobOf(res)).id)).status).toBe("succeeded");
  });

  describe("bad input gets its docs/api.md code and holds nothing", () => {
    const cases: [string, (token: string) => CallOptions, ErrorCode, string | null][] = [
      ["malformed JSON", (token) => ({ token, body: '{"operation":"create",', headers: { "Content-Type": "application/json" } }), "invalid_request", "(body)"],
      ["a field of the wrong type", (token) => ({ token, json: createSpec({ variations: "two" }) }), "invalid_request", "variations"],
      ["an unknown field", (token) => ({ token, json: createSpec({ colour: "red" }) }), "invalid_request", "colour"],
      ["an empty prompt", (token) => ({ token, json: createSpec({ prompt: "   " }) }), "invalid_request", "prompt"],
      ["a 10,001-character prompt", (token) => ({ token, json: createSpec({ prompt: "a".repeat(PROMPT_MAX + 1) }) }), "invalid_request", "prompt"],
      ["variations 0", (token) => ({ token, json: createSpec({ variations: 0 }) }), "invalid_request", "variations"],
      ["variations 11", (token) => ({ token, json: createSpec({ variations: 11 }) }), "invalid_request", "variations"],
      ["an unknown provider", (token) => ({ token, json: createSpec({ provider: "acme" }) }), "invalid_request", "provider"],
      ["an unknown model", (token) => ({ token, json: createSpec({ provider: "local", model: "sdxl" }) }), "invalid_request", "model"],
      ["an unknown operation", (token) => ({ token, json: createSpec({ operation: "paint" }) }), "invalid_request", "operation"],
      ["a body that is not JSON or multipart", (token) => ({ token, body: "prompt=x", headers: { "Content-Type": "text/plain" } }), "invalid_request", "(body)"],
      ["a bad Idempotency-Key", (token) => ({ token, json: createSpec(), headers: { "Idempotency-Key": "has spaces in it" } }), "invalid_request", "Idempotency-Key"],
      ["a missing token", () => ({ json: createSpec() }), "unauthorized", null],
      ["a wrong token", () => ({ token: "isk_wrongwrongwrongwrongwrongwrongwrongwrongwro", json: createSpec() }), "unauthorized", null],
    ];

    it.each(cases)("%s", async (_what, options, code, field) => {
      const { team, token } = await s.createTeam("pro");
      const res = await s.call("/v1/jobs", { method: "POST", ...options(token) });
      const error = await expectError(res, code);
      if (field) expect(error.details?.fields).toHaveProperty([field]);
      expect((await me(token)).balance).toMatchObject({ available: 2000, held: 0, spent: 0 });
      expect((await s.deps.stores.ledger.entries(team.id)).map((e) => e.kind)).toEqual(["grant"]);
    });
  });

  describe("refusals from the estimate, before any hold", () => {
    it("402 insufficient_credits with what is needed and available", async () => {
      const { team, token } = await s.createTeam("pro", { monthlyCredits: 3 });
      const error = await expectError(await postJob(token, createSpec({ variations: 2 })), "insufficient_credits");
      expect(error.details).toMatchObject({ needed: 4, available: 3 });
      expect((await s.deps.stores.ledger.entries(team.id)).map((e) => e.kind)).toEqual(["grant"]);
    });

    it("403 tier_required naming the tier that allows it", async () => {
      const { token } = await s.createTeam("free");
      const premium = await expectError(await postJob(token, createSpec({ quality: "premium" })), "tier_required");
      expect(premium.details).toMatchObject({ tier: "pro" });
      const many = await expectError(await postJob(token, createSpec({ variations: 3 })), "tier_required");
      expect(many.details).toMatchObject({ tier: "basic" });
      const both = await expectError(await postJob(token, createSpec({ quality: "premium", variations: 6 })), "tier_required");
      expect(both.details).toMatchObject({ tier: "pro", currentTier: "free" });
      expect(both.message).toContain("Pro");
      expect((await me(token)).balance).toMatchObject({ available: 50, held: 0 });
    });

    it("403 tier_required naming the tier for an operation the free tier lacks (edit.inpaint)", async () => {
      const stability = await startStabilityFake();
      const own = await startTestServer({ env: { STABILITY_API_KEY: stability.apiKey, STABILITY_BASE_URL: stability.url } });
      try {
        const { team, token } = await own.createTeam("free");
        const error = await expectError(await own.call("/v1/jobs", { token, method: "POST", body: await inpaintForm() }), "tier_required");
        expect(error.details).toMatchObject({ tier: "basic", currentTier: "free" });
        expect((await own.deps.stores.ledger.entries(team.id)).map((e) => e.kind)).toEqual(["grant"]);
        expect(stability.requests).toHaveLength(0);
      } finally {
        await own.close();
        await stability.close();
      }
    });

    it("503 provider_unavailable for a provider without a key", async () => {
      const { token } = await s.createTeam("pro");
      const error = await expectError(await postJob(token, createSpec({ provider: "stability", model: "core" })), "provider_unavailable");
      expect(error.message).toContain("Stability AI");
      expect((await me(token)).balance.held).toBe(0);
    });

    it("402 member_cap_reached for a member over the monthly cap", async () => {
      const { team } = await s.createTeam("pro");
      const { token } = await s.deps.stores.teams.addMember({ teamId: team.id, name: "Bo", role: "member", monthlyCap: 3 });
      const error = await expectError(await postJob(token, createSpec({ variations: 2 })), "member_cap_reached");
      expect(error.details).toMatchObject({ needed: 4, remaining: 3 });
      expect((await me(token)).balance.held).toBe(0);
      expect((await s.deps.stores.ledger.entries(team.id)).map((e) => e.kind)).toEqual(["grant"]);
      // Within the cap it runs; the cap then counts what the job holds and spends.
      const ok = await postJob(token, createSpec({ aspectRatio: SMALL }));
      expect(ok.status).toBe(202);
      await s.waitForJob(token, (await jobOf(ok)).id);
      const again = await expectError(await postJob(token, createSpec({ aspectRatio: SMALL })), "member_cap_reached");
      expect(again.details).toMatchObject({ needed: 2, remaining: 1 });
    });

    it("429 rate_limited with Retry-After for a free team's 7th job in a minute, holding nothing", async () => {
      const { team, token } = await s.createTeam("free");
      for (let i = 0; i < 6; i++) expect((await postJob(token, createSpec({ aspectRatio: SMALL, seed: i }))).status).toBe(202);
      const res = await postJob(token, createSpec({ aspectRatio: SMALL, seed: 6 }));
      const error = await expectError(res, "rate_limited");
      const retryAfter = Number(res.headers.get("retry-after"));
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(error.details).toMatchObject({ limit: 6, retryAfterSeconds: retryAfter });
      const entries = await s.deps.stores.ledger.entries(team.id);
      expect(entries.filter((e) => e.kind === "hold")).toHaveLength(6);
      expect(await s.deps.stores.db.all("SELECT id FROM jobs WHERE team_id = $1", [team.id])).toHaveLength(6);
      // A replay of an accepted job is not a new job: it is answered even at the limit.
      const keyed = await s.createTeam("free");
      const first = await postJob(keyed.token, createSpec({ aspectRatio: SMALL }), { "Idempotency-Key": "rl-1" });
      for (let i = 0; i < 5; i++) await postJob(keyed.token, createSpec({ aspectRatio: SMALL, seed: i }));
      const replay = await postJob(keyed.token, createSpec({ aspectRatio: SMALL }), { "Idempotency-Key": "rl-1" });
      expect(replay.status).toBe(200);
      expect((await jobOf(replay)).id).toBe((await jobOf(first)).id);
    });

    it("meters an enterprise team without a cap", async () => {
      const { token } = await s.createTeam("enterprise");
      const res = await postJob(token, createSpec({ aspectRatio: SMALL, variations: 3 }));
      expect(res.status).toBe(202);
      const done = await s.waitForJob(token, (await jobOf(res)).id);
      expect(done.charged).toBe(6);
      expect((await me(token)).balance).toMatchObject({ available: null, spent: 6 });
    });
  });

  describe("idempotency", () => {
    it("returns the same job for the same key and request, charging once", async () => {
      const { team, token } = await s.createTeam("pro");
      const spec = createSpec({ aspectRatio: SMALL });
      const first = await postJob(token, spec, { "Idempotency-Key": "retry-me" });
      expect(first.status).toBe(202);
      const job = await jobOf(first);
      await s.waitForJob(token, job.id);
      const second = await postJob(token, { ...spec, variations: 1 }, { "Idempotency-Key": "retry-me" }); // defaults spelled out: same request
      expect(second.status).toBe(200);
      expect(second.headers.get("idempotent-replayed")).toBe("true");
      const replayed = await jobOf(second);
      expect(replayed).toMatchObject({ id: job.id, status: "succeeded", charged: 2 });
      expect((await me(token)).balance).toMatchObject({ available: 1998, spent: 2 });
      expect((await s.deps.stores.ledger.entries(team.id)).filter((e) => e.kind === "hold")).toHaveLength(1);
    });

    it("creates one job and one hold for 20 concurrent requests with the same key", async () => {
      const { team, token } = await s.createTeam("pro");
      const spec = createSpec({ aspectRatio: SMALL, variations: 2 });
      const responses = await Promise.all(Array.from({ length: 20 }, () => postJob(token, spec, { "Idempotency-Key": "burst" })));
      const statuses = responses.map((r) => r.status).sort();
      expect(statuses.filter((x) => x === 202)).toHaveLength(1);
      expect(statuses.filter((x) => x === 200)).toHaveLength(19);
      const ids = new Set(await Promise.all(responses.map(async (r) => (await jobOf(r)).id)));
      expect(ids.size).toBe(1);
      const [id] = [...ids];
      await s.waitForJob(token, id!);
      const entries = await s.deps.stores.ledger.entries(team.id);
      expect(entries.filter((e) => e.kind === "hold")).toHaveLength(1);
      expect((await me(token)).balance).toMatchObject({ spent: 4, available: 1996 });
    });

    it("refuses the same key with a different request (422) and holds nothing", async () => {
      const { token } = await s.createTeam("pro");
      const first = await postJob(token, createSpec({ aspectRatio: SMALL }), { "Idempotency-Key": "k" });
      const job = await jobOf(first);
      await s.waitForJob(token, job.id);
      const error = await expectError(await postJob(token, createSpec({ aspectRatio: SMALL, prompt: "something else" }), { "Idempotency-Key": "k" }), "idempotency_mismatch");
      expect(error.details).toMatchObject({ jobId: job.id });
      expect((await me(token)).balance).toMatchObject({ held: 0, spent: 2 });
    });
  });

  it("accepts exactly as many concurrent jobs as the balance covers, across two proxy processes", async () => {
    // Two proxy processes on one database, as behind a load balancer. (The ledger's own tests race processes
    // on the conditional update directly; the stale-balance test below forces that path through HTTP.)
    const n = 3;
    const { team, token } = await s.createTeam("pro", { monthlyCredits: 2 * n }); // a draft image is 2 credits
    const other = await spawnServer({ DATA_DIR: s.dataDir });
    try {
      let lowest = Infinity;
      let polling = true;
      const poll = (async () => {
        while (polling) {
          lowest = Math.min(lowest, (await me(token)).balance.available!);
          await new Promise((r) => setTimeout(r, 5));
        }
      })();
      const responses = await Promise.all(
        Array.from({ length: 10 * n }, (_, i) =>
          fetch(`${i % 2 ? other.url : s.url}/v1/jobs`, {
            method: "POST",
            headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
            body: JSON.stringify(createSpec({ aspectRatio: SMALL, seed: i })),
          }),
        ),
      );
      const accepted = responses.filter((r) => r.status === 202);
      const refused = responses.filter((r) => r.status === 402);
      expect(accepted).toHaveLength(n);
      expect(refused).toHaveLength(9 * n);
      for (const r of refused) expect((await expectError(r, "insufficient_credits")).details).toMatchObject({ needed: 2 });
      for (const r of accepted) expect((await s.waitForJob(token, (await jobOf(r)).id)).status).toBe("succeeded");
      polling = false;
      await poll;
      expect(lowest).toBeGreaterThanOrEqual(0);
      const balance = await s.deps.stores.ledger.balance(team.id);
      expect(balance).toMatchObject({ available: 0, spent: 2 * n, held: 0 });
      const entries = await s.deps.stores.ledger.entries(team.id);
      expect(balanceFromEntries(entries)).toEqual({ granted: balance.granted, spent: balance.spent, held: balance.held });
      expect(Math.min(...entries.map((e) => e.availableAfter))).toBeGreaterThanOrEqual(0);
    } finally {
      expect(await other.stop()).toBe(0);
    }
  });

  it("is refused by the database when the figures the job was priced from are wrong (the hold is the backstop)", async () => {
    const { team, token } = await s.createTeam("pro", { monthlyCredits: 2 });
    const jobs = s.deps.stores.jobs;
    const real = jobs.createWithHold.bind(jobs);
    // The price sees 1000 credits, as a pricing bug or a stale figure would: the conditional hold in the same
    // transaction still refuses, and the job row written before it rolls back with it.
    const stale = vi.spyOn(jobs, "createWithHold").mockImplementation((input) => real({ ...input, price: (state) => input.price({ ...state, available: 1000 }) }));
    try {
      const error = await expectError(await postJob(token, createSpec({ variations: 2 })), "insufficient_credits");
      expect(error.details).toMatchObject({ needed: 4, available: 2 });
    } finally {
      stale.mockRestore();
    }
    expect(await s.deps.stores.ledger.balance(team.id)).toMatchObject({ available: 2, held: 0 });
    expect(await s.deps.stores.db.all("SELECT id FROM jobs WHERE team_id = $1", [team.id])).toEqual([]);
    expect((await s.deps.stores.ledger.entries(team.id)).map((e) => e.kind)).toEqual(["grant"]);
  });

  it("releases the hold when the provider fails: the job fails and nothing is charged", async () => {
    const failing = failingProvider();
    const own = await startTestServer({ adapters: [failing] });
    try {
      const { team, token } = await own.createTeam("pro");
      const res = await own.call("/v1/jobs", { token, json: createSpec({ variations: 2 }) });
      expect(res.status).toBe(202);
      const job = await jobOf(res);
      expect(job.held).toBe(4);
      const done = await own.waitForJob(token, job.id);
      expect(done).toMatchObject({ status: "failed", charged: 0, held: 0, assets: [], error: { code: "provider_error" } });
      expect(done.error?.message).toMatch(/Nothing was charged/);
      expect(failing.calls).toBe(1);
      const after = meSchema.parse(await (await own.call("/v1/me", { token })).json());
      expect(after.balance).toMatchObject({ available: 2000, held: 0, spent: 0 });
      expect((await own.deps.stores.ledger.entries(team.id, { jobId: job.id })).map((e) => e.kind)).toEqual(["hold", "release"]);
    } finally {
      await own.close();
    }
  });

  describe("multipart/form-data", () => {
    const png = async () => sharp({ create: { width: 8, height: 8, channels: 3, background: "#f00" } }).png().toBuffer();

    it("refuses an inpaint without a mask (400), a mask of another size (400) and a mask that is not an image (415), before any hold", async () => {
      const { team, token } = await s.createTeam("pro");
      const post = (form: FormData) => s.call("/v1/jobs", { token, method: "POST", body: form });
      const noMask = await expectError(await post(await inpaintForm({ mask: null })), "invalid_request");
      expect(noMask.details?.fields).toHaveProperty(["mask"]);
      const wrongSize = await expectError(await post(await inpaintForm({ mask: await pngOf(64, 96) })), "invalid_request");
      expect((noMask.details?.fields as Record<string, string>).mask).toMatch(/required/);
      expect((wrongSize.details?.fields as Record<string, string>).mask).toMatch(/128x128.*64x96/);
      const notImage = await expectError(await post(await inpaintForm({ mask: Buffer.from("GIF89a not a png") })), "unsupported_image");
      expect(notImage.details).toMatchObject({ part: "mask" });
      expect((await me(token)).balance).toMatchObject({ held: 0, spent: 0, available: 2000 });
      expect((await s.deps.stores.ledger.entries(team.id)).map((e) => e.kind)).toEqual(["grant"]);
      expect(await s.deps.stores.db.all("SELECT id FROM jobs WHERE team_id = $1", [team.id])).toEqual([]);
    });

    it("refuses (415) an image that does not decode to its last pixel, a PNG or a JPEG cut short, before any hold", async () => {
      const { team, token } = await s.createTeam("pro");
      const noise = sharp(randomBytes(256 * 256 * 3), { raw: { width: 256, height: 256, channels: 3 } });
      for (const [name, bytes] of [["PNG", await noise.clone().png().toBuffer()], ["JPEG", await noise.clone().jpeg().toBuffer()]] as const) {
        const cut = bytes.subarray(0, Math.floor(bytes.length * 0.7));
        expect((await sharp(cut).metadata()).width).toBe(256); // its header is whole
        const form = new FormData();
        form.set("spec", JSON.stringify({ operation: "upscale", mode: "fast" }));
        form.set("image", new Blob([cut]), `cut.${name.toLowerCase()}`);
        const error = await expectError(await s.call("/v1/jobs", { token, body: form }), "unsupported_image");
        expect(error).toMatchObject({ details: { part: "image" } });
        expect(error.message).toMatch(/^The image image cannot be decoded/);
      }
      expect((await me(token)).balance).toMatchObject({ held: 0, spent: 0, available: 2000 });
      expect((await s.deps.stores.ledger.entries(team.id)).map((e) => e.kind)).toEqual(["grant"]);
    });

    it("takes an inpaint or erase whose image's transparent pixels are the mask, and charges it once (local provider)", async () => {
      const { team, token } = await s.createTeam("pro");
      // Opaque white with a transparent 32 px square in the middle: the area to fill.
      const rgba = Buffer.alloc(128 * 128 * 4, 255);
      for (let y = 48; y < 80; y++) for (let x = 48; x < 80; x++) rgba[(y * 128 + x) * 4 + 3] = 0;
      const holed = await sharp(rgba, { raw: { width: 128, height: 128, channels: 4 } }).png().toBuffer();
      const form = new FormData();
      form.set("spec", JSON.stringify({ operation: "edit", kind: "erase" }));
      form.set("image", new Blob([new Uint8Array(holed)], { type: "image/png" }), "image.png");
      const res = await s.call("/v1/jobs", { token, method: "POST", body: form, headers: { "Idempotency-Key": "alpha-erase" } });
      const job = await s.waitForJob(token, (await jobOf(res)).id);
      expect(job).toMatchObject({ status: "succeeded", charged: job.estimate.total, held: 0 });
      expect((await s.deps.stores.ledger.entries(team.id, { jobId: job.id })).map((e) => [e.kind, e.amount])).toEqual([
        ["hold", job.estimate.total],
        ["capture", job.estimate.total],
      ]);
      const filled = await sharp(Buffer.from(await (await s.call(job.assets[0]!.url, { token })).arrayBuffer())).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      const at = (x: number, y: number) => filled.data[(y * filled.info.width + x) * 4 + 3];
      expect(at(64, 64)).toBeGreaterThan(200); // the hole was filled
    });

    it("takes the spec from a `spec` part", async () => {
      const { token } = await s.createTeam("pro");
      const form = new FormData();
      form.set("spec", JSON.stringify(createSpec({ aspectRatio: SMALL })));
      const res = await s.call("/v1/jobs", { token, method: "POST", body: form });
      expect(res.status).toBe(202);
      expect((await s.waitForJob(token, (await jobOf(res)).id)).status).toBe("succeeded");
    });

    it("refuses a missing spec, an unknown part, and an image part that is not an image", async () => {
      const { token } = await s.createTeam("pro");
      const noSpec = new FormData();
      noSpec.set("image", new Blob([await png()], { type: "image/png" }), "a.png");
      expect((await expectError(await s.call("/v1/jobs", { token, method: "POST", body: noSpec }), "invalid_request")).details?.fields).toHaveProperty(["spec"]);

      const unknown = new FormData();
      unknown.set("spec", JSON.stringify(createSpec()));
      unknown.set("photo", new Blob([await png()]), "a.png");
      expect((await expectError(await s.call("/v1/jobs", { token, method: "POST", body: unknown }), "invalid_request")).details?.fields).toHaveProperty(["photo"]);

      const notImage = new FormData();
      notImage.set("spec", JSON.stringify({ operation: "upscale", mode: "fast" }));
      notImage.set("image", new Blob(["hello"], { type: "image/png" }), "a.png");
      await expectError(await s.call("/v1/jobs", { token, method: "POST", body: notImage }), "unsupported_image");
      expect((await me(token)).balance.held).toBe(0);
    });

    it("asks for the image of an image operation", async () => {
      const { token } = await s.createTeam("pro");
      const noImage = await expectError(await postJob(token, { operation: "upscale", mode: "fast" }), "invalid_request");
      expect(noImage.details?.fields).toHaveProperty(["image"]);
      const noImageEdit = await expectError(await postJob(token, { operation: "edit", kind: "remove-background" }), "invalid_request");
      expect(noImageEdit.details?.fields).toHaveProperty(["image"]);
      expect((await me(token)).balance).toMatchObject({ held: 0, spent: 0 });
    });

    it("runs a social job for 0 credits, holding nothing, one asset per format in the order asked", async () => {
      const { token } = await s.createTeam("free");
      const form = new FormData();
      form.set("spec", JSON.stringify({ operation: "social", formats: ["x-header", "instagram-square"] }));
      form.set("image", new Blob([await pngOf(64, 64)], { type: "image/png" }), "a.png");
      const res = await s.call("/v1/jobs", { token, method: "POST", body: form });
      expect(res.status).toBe(202);
      const job = await s.waitForJob(token, (await jobOf(res)).id);
      expect(job).toMatchObject({ status: "succeeded", charged: 0, held: 0, estimate: { total: 0 } });
      expect(job.assets.map((a) => [a.format, a.width, a.height])).toEqual([
        ["x-header", 1500, 500],
        ["instagram-square", 1080, 1080],
      ]);
      expect((await me(token)).balance).toMatchObject({ held: 0, spent: 0 });
    });
  });
});
