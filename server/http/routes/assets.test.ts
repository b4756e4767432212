import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { assetPageSchema, assetResponseSchema, type Asset, type AssetPage } from "../../../core/api/assets.ts";
import { jobResponseSchema, type Job } from "../../../core/api/responses.ts";
import { expectApiError } from "../../test-support/api-assertions.ts";
import { createSpec, startTestServer, type TestServer, type TestTeam } from "../../test-support/harness.ts";

let s: TestServer;
let ada: TestTeam; // the team's manager
let bo: { id: string; token: string }; // a member of the same team
let other: TestTeam;
/** Ada's create job (2 variations), Bo's upscale of its first image, Bo's background removal of it. */
let created: Job;
let upscaled: Job;
let edited: Job;

const SMALL = { width: 96, height: 64 };

async function imageJob(token: string, spec: Record<string, unknown>, image: Buffer): Promise<Job> {
  const form = new FormData();
  form.set("spec", JSON.stringify(spec));
  form.set("image", new Blob([new Uint8Array(image)], { type: "image/png" }), "image.png");
  const res = await s.call("/v1/jobs", { token, method: "POST", body: form, headers: { "Idempotency-Key": randomUUID() } });
  if (res.status !== 202) throw new Error(`POST /v1/jobs answered ${res.status}: ${await res.text()}`);
  const job = await s.waitForJob(token, jobResponseSchema.parse(await res.json()).job.id);
  if (job.status !== "succeeded") throw new Error(`job ${job.id} failed: ${job.error?.message}`);
  return job;
}

async function content(token: string, url: string): Promise<Buffer> {
  const res = await s.call(url, { token });
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

beforeAll(async () => {
  s = await startTestServer();
  ada = await s.createTeam("pro");
  const added = await s.deps.stores.teams.addMember({ teamId: ada.team.id, name: "Bo", role: "member" });
  bo = { id: added.member.id, token: added.token };
  other = await s.createTeam("pro");
  created = await s.runJob(ada.token, createSpec({ prompt: "A Lighthouse at DUSK, 100% calm", aspectRatio: SMALL, variations: 2 }));
  const source = created.assets[0]!;
  const bytes = await content(ada.token, source.url);
  upscaled = await imageJob(bo.token, { operation: "upscale", mode: "fast", prompt: "sharper lighthouse", sourceAssetId: source.id }, bytes);
  edited = await imageJob(bo.token, { operation: "edit", kind: "remove-background" }, bytes);
});
afterAll(() => s.close());

async function list(token: string, query = ""): Promise<AssetPage> {
  const res = await s.call(`/v1/assets${query}`, { token });
  expect(res.status).toBe(200);
  return assetPageSchema.parse(await res.json());
}

async function getAsset(token: string, id: string): Promise<Asset> {
  const res = await s.call(`/v1/assets/${id}`, { token });
  expect(res.status).toBe(200);
  return assetResponseSchema.parse(await res.json()).asset;
}


const ids = (assets: readonly { id: string }[]) => assets.map((a) => a.id);

describe("GET /v1/assets", () => {
  it("lists every asset of the team newest first, with what made it and what it cost", async () => {
    const page = await list(bo.token);
    expect(page.nextCursor).toBeNull();
    expect(new Set(ids(page.assets))).toEqual(new Set([...created.assets, ...upscaled.assets, ...edited.assets].map((a) => a.id)));
    // Newest first: the edit and the upscale came after the create.
    expect(page.assets.map((a) => a.createdAt)).toEqual([...page.assets.map((a) => a.createdAt)].sort().reverse());
    expect(ids(page.assets.slice(-2)).sort()).toEqual(ids(created.assets).sort());

    const first = page.assets.find((a) => a.id === created.assets[0]!.id)!;
    expect(first).toMatchObject<Partial<Asset>>({
      type: "create",
      operation: "create",
      provider: "local",
      model: "procedural",
      prompt: "A Lighthouse at DUSK, 100% calm",
      width: 96,
      height: 64,
      contentType: "image/png",
      bytes: created.assets[0]!.bytes,
      cost: created.assets[0]!.cost,
      jobId: created.id,
      memberId: ada.manager.id,
      memberName: "Manager",
      parentAssetId: null,
      format: null,
      url: created.assets[0]!.url,
    });
    expect(first.params).toMatchObject({ operation: "create", quality: "draft", variations: 2 });
    // What each asset cost adds up to what its job was charged.
    expect(page.assets.filter((a) => a.jobId === created.id).reduce((n, a) => n + a.cost, 0)).toBe(created.charged);

    const up = page.assets.find((a) => a.id === upscaled.assets[0]!.id)!;
    expect(up).toMatchObject({ type: "upscale", operation: "upscale.fast", memberId: bo.id, memberName: "Bo", parentAssetId: created.assets[0]!.id, width: 384 });
    // The edit named no source, but its input had the exact bytes of the team's asset.
    expect(page.assets.find((a) => a.id === edited.assets[0]!.id)).toMatchObject({ type: "edit", operation: "edit.remove-background", parentAssetId: created.assets[0]!.id });
  });

  it("filters by type, operation, provider, member, dates and prompt text", async () => {
    const token = ada.token;
    expect(ids((await list(token, "?type=create")).assets).sort()).toEqual(ids(created.assets).sort());
    expect(ids((await list(token, "?type=upscale")).assets)).toEqual(ids(upscaled.assets));
    expect(ids((await list(token, "?operation=edit.remove-background")).assets)).toEqual(ids(edited.assets));
    expect((await list(token, "?operation=edit.inpaint")).assets).toEqual([]);
    expect((await list(token, "?provider=local")).assets).toHaveLength(4);
    expect((await list(token, "?provider=stability")).assets).toEqual([]);
    expect(ids((await list(token, `?member=${bo.id}`)).assets).sort()).toEqual(ids([...upscaled.assets, ...edited.assets]).sort());
    expect(ids((await list(token, "?q=lighthouse")).assets).sort()).toEqual(ids([...created.assets, ...upscaled.assets]).sort());
    expect(ids((await list(token, "?q=100%25")).assets).sort()).toEqual(ids(created.assets).sort());
    expect((await list(token, "?q=_")).assets).toEqual([]);
    // Half-open range: from the first asset's time on includes it; up to it excludes it.
    const all = (await list(token)).assets;
    const oldest = all[all.length - 1]!.createdAt;
    expect((await list(token, `?from=${oldest}`)).assets).toHaveLength(4);
    expect((await list(token, `?to=${encodeURIComponent(oldest)}`)).assets).toEqual([]);
    expect((await list(token, "?from=2099-01-01")).assets).toEqual([]);
    expect(ids((await list(token, "?type=edit&member=" + bo.id + "&q=nothing")).assets)).toEqual([]);
  });

  it("pages with the cursor through every asset exactly once", async () => {
    const all = ids((await list(ada.token)).assets);
    const seen: string[] = [];
    let query = "?limit=1";
    for (let pages = 0; ; pages++) {
      expect(pages).toBeLessThan(4);
      const page = await list(ada.token, query);
      expect(page.assets).toHaveLength(1);
      seen.push(...ids(page.assets));
      if (!page.nextCursor) break;
      query = `?limit=1&cursor=${page.nextCursor}`;
    }
    expect(seen).toEqual(all);
  });

  it("shows only the caller's team", async () => {
    expect((await list(other.token)).assets).toEqual([]);
  });

  it.each([
    ["a cursor it never gave out", "?cursor=bm90LWEtY3Vyc29y", "cursor"],
    ["a cursor that is not base64url", "?cursor=a%2Bb", "cursor"],
    ["a limit over 200", "?limit=201", "limit"],
    ["a limit of 0", "?limit=0", "limit"],
    ["an unknown type", "?type=video", "type"],
    ["an unknown operation", "?operation=edit.sharpen", "operation"],
    ["a date that is not one", "?from=2026-02-30", "from"],
    ["to before from", "?from=2026-11-02&to=2026-11-01", "to"],
    ["an empty q", "?q=%20", "q"],
    ["an unknown parameter", "?sort=oldest", "sort"],
  ])("is 400 invalid_request for %s, naming the field", async (_what, query, field) => {
    const error = await expectApiError(await s.call(`/v1/assets${query}`, { token: bo.token }), 400, "invalid_request");
    expect(error.details?.fields).toHaveProperty([field]);
  });

  it("is 404 for a member filter naming someone outside the team, 401 without a token", async () => {
    await expectApiError(await s.call(`/v1/assets?member=${other.manager.id}`, { token: ada.token }), 404, "not_found");
    await expectApiError(await s.call("/v1/assets?member=mem_unknown", { token: ada.token }), 404, "not_found");
    await expectApiError(await s.call("/v1/assets"), 401, "unauthorized");
  });
});

describe("GET /v1/assets/:id", () => {
  it("answers one asset's metadata to any member of the team, next to its content route", async () => {
    const asset = await getAsset(bo.token, upscaled.assets[0]!.id);
    expect(asset).toMatchObject({ id: upscaled.assets[0]!.id, type: "upscale", memberName: "Bo", parentAssetId: created.assets[0]!.id, jobId: upscaled.id });
    expect(asset).toEqual((await list(bo.token, "?type=upscale")).assets[0]);
    // /v1/assets/:id/content is still the bytes, not the metadata.
    const res = await s.call(asset.url, { token: bo.token });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(Number(res.headers.get("content-length"))).toBe(asset.bytes);
  });

  it("shows a social result's format with the catalog's safe zone", async () => {
    const { token } = await s.createTeam("pro");
    const source = (await s.runJob(token, createSpec({ aspectRatio: SMALL }))).assets[0]!;
    const job = await imageJob(token, { operation: "social", formats: ["instagram-story", "x-post"], sourceAssetId: source.id }, await content(token, source.url));
    const social = (await list(token, "?type=social")).assets;
    expect(social.map((a) => a.format).sort((x, y) => x!.id.localeCompare(y!.id))).toEqual([
      { id: "instagram-story", safeZone: { top: 250, right: 0, bottom: 340, left: 0 } },
      { id: "x-post" },
    ]);
    const story = await getAsset(token, social.find((a) => a.format?.id === "instagram-story")!.id);
    expect(story).toMatchObject({ type: "social", operation: "social", jobId: job.id, parentAssetId: source.id, width: 1080, height: 1920, cost: 0, prompt: null });
  });

  it("is 404 for another team's asset and an unknown id", async () => {
    await expectApiError(await s.call(`/v1/assets/${created.assets[0]!.id}`, { token: other.token }), 404, "not_found");
    await expectApiError(await s.call("/v1/assets/ast_unknown", { token: ada.token }), 404, "not_found");
  });
});

describe("DELETE /v1/assets/:id", () => {
  const del = (token: string, id: string) => s.call(`/v1/assets/${id}`, { token, method: "DELETE" });

  it("lets the member who made it delete it: gone from the library, its content 404, its job still there", async () => {
    const { team, token } = await s.createTeam("pro");
    const job = await s.runJob(token, createSpec({ prompt: "deleted soon", aspectRatio: SMALL, variations: 2 }));
    const [gone, kept] = job.assets as [Job["assets"][number], Job["assets"][number]];
    const goneSha = (await s.deps.stores.assets.get(team.id, gone.id))!.sha256;
    // Another team's manager cannot even see it.
    await expectApiError(await del(ada.token, gone.id), 404, "not_found");

    const res = await del(token, gone.id);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    await expectApiError(await s.call(`/v1/assets/${gone.id}`, { token }), 404, "not_found");
    await expectApiError(await s.call(gone.url, { token }), 404, "not_found");
    await expectApiError(await del(token, gone.id), 404, "not_found");
    expect(ids((await list(token)).assets)).toEqual([kept.id]);
    // No other asset had these bytes, so they are gone from the blob store too.
    expect(await s.deps.stores.blobs.has(goneSha)).toBe(false);

    // The job keeps its status and charge; its asset list shows only what remains in the library.
    const after = jobResponseSchema.parse(await (await s.call(`/v1/jobs/${job.id}`, { token })).json()).job;
    expect(after).toMatchObject({ status: "succeeded", charged: job.charged, estimate: job.estimate });
    expect(ids(after.assets)).toEqual([kept.id]);
    expect((await s.call(kept.url, { token })).status).toBe(200);
  });

  it("is 403 for a member deleting someone else's asset, and allowed for a manager", async () => {
    await expectApiError(await del(bo.token, created.assets[1]!.id), 403, "forbidden");
    expect((await getAsset(ada.token, created.assets[1]!.id)).id).toBe(created.assets[1]!.id);

    const sha = (await s.deps.stores.assets.get(ada.team.id, edited.assets[0]!.id))!.sha256;
    expect((await del(ada.token, edited.assets[0]!.id)).status).toBe(204); // Bo's asset, Ada manages the team
    await expectApiError(await s.call(`/v1/assets/${edited.assets[0]!.id}`, { token: bo.token }), 404, "not_found");
    expect(await s.deps.stores.blobs.has(sha)).toBe(false);
  });

  it("keeps bytes another asset still refers to", async () => {
    // Two teams made the same image (the local provider is deterministic for a seed).
    const spec = createSpec({ prompt: "twins", aspectRatio: SMALL, seed: 42, fresh: true });
    const mine = await s.runJob(ada.token, spec);
    const theirs = await s.runJob(other.token, spec);
    const a = (await s.deps.stores.assets.get(ada.team.id, mine.assets[0]!.id))!;
    const b = (await s.deps.stores.assets.get(other.team.id, theirs.assets[0]!.id))!;
    expect(a.sha256).toBe(b.sha256);
    expect((await del(ada.token, a.id)).status).toBe(204);
    expect(await s.deps.stores.blobs.has(a.sha256)).toBe(true);
    expect((await s.call(theirs.assets[0]!.url, { token: other.token })).status).toBe(200);
    expect((await del(other.token, b.id)).status).toBe(204);
    expect(await s.deps.stores.blobs.has(a.sha256)).toBe(false);
  });

  it("is 401 without a token", async () => {
    await expectApiError(await s.call(`/v1/assets/${created.assets[0]!.id}`, { method: "DELETE" }), 401, "unauthorized");
  });
});
