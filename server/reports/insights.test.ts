import { beforeAll, describe, expect, it } from "vitest";
import { insightsResponseSchema, type Insight, type InsightKind, type InsightsResponse } from "../../core/api/insights.ts";
import { jobSpecSchema, type JobSpec, type JobSpecInput } from "../../core/api/specs.ts";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import type { Catalog } from "../../core/catalog/schema.ts";
import { estimate } from "../../core/estimate.ts";
import type { Db } from "../db/sql.ts";
import { newId } from "../ids.ts";
import { requestHash } from "../jobs/request-hash.ts";
import { DB_KINDS } from "../test-support/databases.ts";
import { useTestDb } from "../test-support/suite-db.ts";
import { INSIGHT_JOB_IDS, insightsReport } from "./insights.ts";
import { seedAssets, seedMember, seedTeam } from "../test-support/seed-rows.ts";

/** A fixture job's capture: its price per image times the images delivered (the creates here have no free allowance). */
const share = (total: number, delivered: number, images: number) => (delivered >= images ? total : Math.floor((total * delivered) / images));

const NOV = { periodStart: "2026-11-01T00:00:00.000Z", periodEnd: "2026-12-01T00:00:00.000Z" };
/** Minutes into the period, as ISO text. */
const at = (minute: number) => new Date(Date.parse("2026-11-02T00:00:00.000Z") + minute * 60_000).toISOString();
/** Only the local provider has no key, as on a proxy without keys. */
const LOCAL = { configuredProviders: ["local"] };

interface SeededJob {
  id: string;
  charged: number;
  spec: JobSpec;
}

interface JobSeed {
  teamId: string;
  memberId: string;
  spec: JobSpecInput;
  createdAt: string;
  status?: "succeeded" | "failed" | "running";
  /** Images delivered (default: all of a succeeded job's, none of a failed one's). */
  delivered?: number;
  /** Images still in the library (default: all delivered). */
  kept?: number;
  reusedFrom?: string;
  catalog?: Catalog;
}

/** A job as the job store would leave it: priced by estimate(), charged its share of what it delivered. */
async function seedJob(db: Db, j: JobSeed): Promise<SeededJob> {
  const catalog = j.catalog ?? DEFAULT_CATALOG;
  const spec = jobSpecSchema.parse(j.spec);
  const est = estimate(spec, catalog, LOCAL);
  const route = est.steps[0]!.route;
  const images = est.steps[0]!.images;
  const status = j.status ?? "succeeded";
  const delivered = j.delivered ?? (status === "succeeded" ? images : 0);
  const charged = status === "succeeded" && !j.reusedFrom ? share(est.total, delivered, images) : 0;
  const id = newId("job");
  const opKey = spec.operation === "create" ? "create" : spec.operation === "upscale" ? `upscale.${spec.mode}` : spec.operation === "edit" ? `edit.${spec.kind}` : "social";
  await db.run(
    `INSERT INTO jobs (id, team_id, member_id, request_hash, operation, spec, status, estimate, route, charged, progress,
                       operation_key, provider, model, reused_from, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)`,
    [
      id,
      j.teamId,
      j.memberId,
      requestHash(spec),
      spec.operation,
      JSON.stringify(spec),
      status,
      JSON.stringify(est),
      route ? JSON.stringify(route) : null,
      charged,
      JSON.stringify({ stage: status === "running" ? "running" : "done", completed: delivered, total: images }),
      opKey,
      route?.provider ?? null,
      route?.model ?? null,
      j.reusedFrom ?? null,
      j.createdAt,
    ],
  );
  const kept = j.reusedFrom ? 0 : (j.kept ?? delivered);
  if (kept > 0) await seedAssets(db, { teamId: j.teamId, jobId: id, memberId: j.memberId, count: kept });
  return { id, charged, spec };
}

const create = (prompt: string, o: Partial<Extract<JobSpecInput, { operation: "create" }>> = {}): JobSpecInput => ({
  operation: "create",
  prompt,
  quality: "premium",
  provider: "auto",
  ...o,
});
const upscale = (mode: "creative" | "conservative" | "fast", width: number, height: number): JobSpecInput => ({
  operation: "upscale",
  mode,
  provider: "auto",
  input: { width, height },
});

/** What the job would have cost as a draft, priced by core (the same share of a partial batch). */
function draftPrice(job: SeededJob, delivered?: number): number {
  if (job.spec.operation !== "create") throw new Error("not a create");
  const { model: _model, ...rest } = job.spec;
  const draft = estimate({ ...rest, quality: "draft", provider: "auto" }, DEFAULT_CATALOG);
  const images = job.spec.variations;
  return share(draft.total, delivered ?? images, images);
}

function byKind(r: InsightsResponse, kind: InsightKind): Insight | undefined {
  return r.insights.find((i) => i.kind === kind);
}

describe.each(DB_KINDS)("insights report on %s", (kind) => {
  let db: Db;
  useTestDb(kind, (opened) => (db = opened));

  describe("a team with every pattern and its near misses", () => {
    let teamId: string;
    let ann: string;
    let bo: string;
    const j: Record<string, SeededJob> = {};

    beforeAll(async () => {
      ({ id: teamId } = await seedTeam(db, { name: "Studio" }));
      ann = await seedMember(db, teamId, { name: "Ann", role: "manager" });
      bo = await seedMember(db, teamId, { name: "Bo" });
      const job = (memberId: string, minute: number, spec: JobSpecInput, o: Partial<JobSeed> = {}) =>
        seedJob(db, { teamId, memberId, spec, createdAt: at(minute), ...o });

      // Previous period: an identical premium "Red fox" would make November's one a regeneration, and a
      // premium "Autumn" re-run in November would be draft-first, if October were read.
      await seedJob(db, { teamId, memberId: ann, spec: create("Red fox"), createdAt: "2026-10-30T12:00:00.000Z" });
      await seedJob(db, { teamId, memberId: ann, spec: create("Autumn"), createdAt: "2026-10-31T23:59:59.999Z" });
      await job(ann, 0, create("autumn", { quality: "draft" }));

      // draft-first: premium re-run by the same member (prompt matched trimmed, case-insensitively) ...
      j.rerun = await job(ann, 1, create("Red fox"));
      await job(ann, 2, create("  red FOX ", { quality: "draft" }));
      // ... premium discarded (no image left), a batch of two at 16:9 ...
      j.discarded = await job(ann, 3, create("Blue whale", { variations: 2, aspectRatio: "16:9" }), { kept: 0 });
      // ... and an explicit premium model (Stable Image Ultra) asked for at "standard", discarded.
      j.ultra = await job(ann, 4, create("Castle", { quality: "standard", provider: "stability", model: "ultra" }), { kept: 0 });
      // Near misses: kept and never re-run; re-run by someone else; followed by a different prompt; one image
      // of two deleted.
      await job(ann, 5, create("Green tree"));
      await job(ann, 6, create("Mountain"));
      await job(bo, 7, create("mountain", { quality: "draft" }));
      await job(ann, 8, create("Sea"));
      await job(ann, 9, create("Sea shore", { quality: "draft" }));
      await job(ann, 10, create("Desert", { variations: 2 }), { kept: 1 });

      // reuse-identical: Bo makes what Ann made (the default 1:1 is 1024 x 1024) ...
      j.logo = await job(ann, 20, create("Logo concept", { quality: "standard" }));
      j.logoAgain = await job(bo, 21, create("logo concept  ", { quality: "standard", aspectRatio: { width: 1024, height: 1024 } }));
      // ... near misses: another size, another quality, another route, and a real reuse (charged 0).
      await job(bo, 22, create("Logo concept", { quality: "standard", aspectRatio: "16:9" }));
      await job(bo, 23, create("Logo concept", { quality: "draft" }));
      await job(bo, 24, create("Logo concept", { quality: "standard", provider: "stability", model: "core" }));
      await job(bo, 25, create("Logo concept", { quality: "standard", seed: 7 }), { reusedFrom: j.logo.id });

      // conservative-upscale: creative on inputs of at least 1 MP ...
      j.upscale1mp = await job(ann, 30, upscale("creative", 1024, 1024));
      j.upscaleBig = await job(bo, 31, upscale("creative", 2048, 1536));
      // ... not on a small input, a conservative one, or a creative one that failed.
      await job(ann, 32, upscale("creative", 1024, 1023));
      await job(ann, 33, upscale("conservative", 2048, 2048));
      await job(ann, 34, upscale("creative", 4096, 4096), { status: "failed" });

      // failed-retries: failed, retried unchanged, failed again (then a third try that worked) ...
      j.poster = await job(bo, 40, create("Poster", { quality: "draft" }), { status: "failed" });
      await job(bo, 41, create("Poster", { quality: "draft" }), { status: "failed" });
      await job(bo, 42, create("Poster", { quality: "draft" }));
      // ... an edit without a prompt, matched by its request ...
      j.cutout = await job(ann, 43, { operation: "edit", kind: "remove-background", provider: "auto", input: { width: 800, height: 600 } }, { status: "failed" });
      await job(ann, 44, { operation: "edit", kind: "remove-background", provider: "auto", input: { width: 800, height: 600 } }, { status: "failed" });
      // ... and a batch of four that delivered two, asked again in full (another spelling of the prompt).
      j.partial = await job(ann, 45, create("Icons", { quality: "standard", variations: 4 }), { delivered: 2 });
      j.partialRetry = await job(ann, 46, create("icons", { quality: "standard", variations: 4 }));
      // Near misses: a failure never retried; a failure "retried" by another member; a failure then a job
      // still running.
      await job(bo, 47, create("Flyer", { quality: "draft" }), { status: "failed" });
      await job(ann, 48, create("Banner", { quality: "draft" }), { status: "failed" });
      await job(bo, 49, create("Banner", { quality: "draft" }), { status: "failed" });
      await job(bo, 50, create("Menu", { quality: "draft" }), { status: "failed" });
      await job(bo, 51, create("Menu", { quality: "draft" }), { status: "running" });

      // Another team, doing all of it on the same days, is never read.
      const other = await seedTeam(db, { name: "Other" });
      const stranger = await seedMember(db, other.id, { name: "Stranger", role: "manager" });
      const theirs = (minute: number, spec: JobSpecInput, o: Partial<JobSeed> = {}) =>
        seedJob(db, { teamId: other.id, memberId: stranger, spec, createdAt: at(minute), ...o });
      await theirs(0, create("Logo concept", { quality: "standard" }));
      await theirs(1, create("Red fox"));
      await theirs(2, create("red fox"));
      await theirs(3, upscale("creative", 2048, 2048));
      await theirs(4, create("Poster", { quality: "draft" }), { status: "failed" });
      await theirs(5, create("Poster", { quality: "draft" }), { status: "failed" });
    });

    const report = (memberId: string | null = null) => insightsReport(db, DEFAULT_CATALOG, { teamId, memberId, ...NOV });

    it("answers the wire contract over the period asked for", async () => {
      const r = await report();
      expect(insightsResponseSchema.parse(r)).toEqual(r);
      expect(r.period).toEqual({ startsAt: NOV.periodStart, endsAt: NOV.periodEnd });
    });

    it("draft-first: premium creates that were re-run or discarded, saving the difference to draft", async () => {
      const i = byKind(await report(), "draft-first")!;
      const counted = [j.rerun!, j.discarded!, j.ultra!];
      expect(i.jobIds).toEqual(counted.map((x) => x.id).reverse());
      expect(i.occurrences).toBe(3);
      expect(j.ultra!.charged).toBe(DEFAULT_CATALOG.models.find((m) => m.model === "ultra")!.price);
      expect(i.savedCredits).toBe(counted.reduce((n, x) => n + x.charged - draftPrice(x), 0));
      expect(i.savedCredits).toBeGreaterThan(0);
      const q = DEFAULT_CATALOG.create.qualities;
      expect(i.title).toBe("Draft first, then premium");
      expect(i.advice).toBe(`Try ideas at draft (${q.draft.credits} credits) and make only the one you keep at premium (${q.premium.credits}).`);
    });

    it("reuse-identical: the same prompt, quality, route and size made again by anyone on the team", async () => {
      const i = byKind(await report(), "reuse-identical")!;
      // The partial batch asked again is priced under failed-retries instead, not here.
      expect(i).toMatchObject({ occurrences: 1, savedCredits: j.logoAgain!.charged, jobIds: [j.logoAgain!.id] });
      expect(j.logoAgain!.charged).toBe(estimate(j.logoAgain!.spec, DEFAULT_CATALOG).total);
    });

    it("conservative-upscale: creative upscales of inputs of 1 MP and more, even where it saves nothing", async () => {
      const i = byKind(await report(), "conservative-upscale")!;
      expect(i.jobIds).toEqual([j.upscaleBig!.id, j.upscale1mp!.id]);
      const conservative = (x: SeededJob) => estimate({ ...(x.spec as Extract<JobSpec, { operation: "upscale" }>), mode: "conservative" }, DEFAULT_CATALOG).total;
      expect(i.savedCredits).toBe([j.upscaleBig!, j.upscale1mp!].reduce((n, x) => n + Math.max(0, x.charged - conservative(x)), 0));
      expect(i.savedCredits).toBe(0); // the default catalog prices both modes alike
      expect(i.occurrences).toBe(2);
    });

    it("failed-retries: failures retried unchanged that failed again, and partial batches asked again in full", async () => {
      const i = byKind(await report(), "failed-retries")!;
      expect(i.jobIds).toEqual([j.partialRetry!.id, j.cutout!.id, j.poster!.id]);
      expect(i.occurrences).toBe(3);
      // The partial batch delivered 2 of 4; the retry paid for all 4 again: 2 of them were already there.
      const partial = j.partial!;
      expect(partial.charged).toBe(share(estimate(partial.spec, DEFAULT_CATALOG).total, 2, 4));
      const perImage = j.partialRetry!.charged / 4;
      expect(i.savedCredits).toBe(perImage * 2);
      expect(i.savedCredits).toBeGreaterThan(0);
    });

    it("lists only what occurred, the largest saving first, and totals the savings", async () => {
      const r = await report();
      const saved = (k: InsightKind) => byKind(r, k)!.savedCredits;
      expect(r.insights.map((x) => x.kind)).toEqual(["draft-first", "failed-retries", "reuse-identical", "conservative-upscale"]);
      expect(saved("draft-first")).toBeGreaterThan(saved("failed-retries"));
      expect(saved("failed-retries")).toBeGreaterThan(saved("reuse-identical"));
      // No job is in two insights here, so the total is their sum.
      expect(r.savedCredits).toBe(r.insights.reduce((n, x) => n + x.savedCredits, 0));
    });

    it("counts only a member's own jobs for a member, matched against what the team made before", async () => {
      const r = await report(bo);
      expect(insightsResponseSchema.parse(r)).toEqual(r);
      expect(byKind(r, "draft-first")).toBeUndefined();
      expect(byKind(r, "reuse-identical")).toMatchObject({ occurrences: 1, jobIds: [j.logoAgain!.id] });
      expect(byKind(r, "conservative-upscale")).toMatchObject({ occurrences: 1, jobIds: [j.upscaleBig!.id] });
      expect(byKind(r, "failed-retries")).toMatchObject({ occurrences: 1, savedCredits: 0, jobIds: [j.poster!.id] });
      expect(r.savedCredits).toBe(j.logoAgain!.charged);
      expect(r.insights[0]!.kind).toBe("reuse-identical");
    });

    it("is empty for a period without jobs", async () => {
      const r = await insightsReport(db, DEFAULT_CATALOG, { teamId, memberId: null, periodStart: "2026-12-01T00:00:00.000Z", periodEnd: "2027-01-01T00:00:00.000Z" });
      expect(r).toEqual({ period: { startsAt: "2026-12-01T00:00:00.000Z", endsAt: "2027-01-01T00:00:00.000Z" }, insights: [], savedCredits: 0 });
    });
  });

  it("counts a job that is in two insights once in the total, at most what it cost", async () => {
    const { id: teamId } = await seedTeam(db, { name: "Lamps" });
    const ann = await seedMember(db, teamId, { name: "Ann", role: "manager" });
    // Three identical premium lamps: the first two were re-run (draft-first), the last two were regenerated.
    const lamps: SeededJob[] = [];
    for (let n = 0; n < 3; n++) lamps.push(await seedJob(db, { teamId, memberId: ann, spec: create("Lamp"), createdAt: at(n) }));
    const [a, b, c] = lamps as [SeededJob, SeededJob, SeededJob];
    const r = await insightsReport(db, DEFAULT_CATALOG, { teamId, memberId: null, ...NOV });
    const draftFirst = byKind(r, "draft-first")!;
    const reuse = byKind(r, "reuse-identical")!;
    expect(draftFirst).toMatchObject({ occurrences: 2, jobIds: [b.id, a.id], savedCredits: a.charged - draftPrice(a) + b.charged - draftPrice(b) });
    expect(reuse).toMatchObject({ occurrences: 2, jobIds: [c.id, b.id], savedCredits: b.charged + c.charged });
    // b would save both as a draft and as a reuse, but never more than it cost.
    expect(r.savedCredits).toBe(a.charged - draftPrice(a) + Math.min(b.charged, b.charged - draftPrice(b) + b.charged) + c.charged);
    expect(r.savedCredits).toBeLessThan(draftFirst.savedCredits + reuse.savedCredits);
  });

  it("prices with the catalog it is given: a dearer creative upscale saves the difference; a few ids, newest first", async () => {
    const catalog: Catalog = {
      ...DEFAULT_CATALOG,
      create: {
        ...DEFAULT_CATALOG.create,
        qualities: {
          ...DEFAULT_CATALOG.create.qualities,
          draft: { ...DEFAULT_CATALOG.create.qualities.draft, credits: 3 },
          premium: { ...DEFAULT_CATALOG.create.qualities.premium, credits: 10 },
        },
      },
      upscale: { ...DEFAULT_CATALOG.upscale, creative: { ...DEFAULT_CATALOG.upscale.creative, credits: 9 } },
    };
    const { id: teamId } = await seedTeam(db, { name: "Upscalers" });
    const ann = await seedMember(db, teamId, { name: "Ann", role: "manager" });
    const jobs: SeededJob[] = [];
    for (let n = 0; n < INSIGHT_JOB_IDS + 2; n++)
      jobs.push(await seedJob(db, { teamId, memberId: ann, spec: upscale("creative", 2048, 2048 + n), createdAt: at(n), catalog }));
    // A premium hero re-run as a draft: priced and explained with this catalog's qualities.
    const hero = await seedJob(db, { teamId, memberId: ann, spec: create("Hero"), createdAt: at(20), catalog });
    await seedJob(db, { teamId, memberId: ann, spec: create("Hero", { quality: "draft" }), createdAt: at(21), catalog });
    const q = catalog.create.qualities;
    const r = await insightsReport(db, catalog, { teamId, memberId: null, ...NOV });
    expect(byKind(r, "draft-first")).toMatchObject({
      occurrences: 1,
      savedCredits: hero.charged - q.draft.credits,
      advice: `Try ideas at draft (${q.draft.credits} credits) and make only the one you keep at premium (${q.premium.credits}).`,
    });
    expect(hero.charged).toBe(q.premium.credits);
    const i = byKind(r, "conservative-upscale")!;
    const conservative = (x: SeededJob) => estimate({ ...(x.spec as Extract<JobSpec, { operation: "upscale" }>), mode: "conservative" }, catalog).total;
    const expected = jobs.reduce((n, x) => n + x.charged - conservative(x), 0);
    expect(expected).toBe(jobs.length * (catalog.upscale.creative.credits - catalog.upscale.conservative.credits));
    expect(i).toMatchObject({ occurrences: jobs.length, savedCredits: expected });
    expect(i.jobIds).toEqual(jobs.slice(-INSIGHT_JOB_IDS).reverse().map((x) => x.id));
    expect(i.advice).toContain(`(${catalog.upscale.conservative.credits} credits instead of ${catalog.upscale.creative.credits})`);
    expect(r.savedCredits).toBe(expected + hero.charged - q.draft.credits);
    expect(r.insights.map((x) => x.kind)).toEqual(["conservative-upscale", "draft-first"]);
  });
});
