// GET /v1/insights: cost-saving suggestions computed from the team's own jobs in its current period, each
// priced with the catalog through core's estimate() (never a hard-coded price). Two queries over the
// period's jobs (the jobs_team_created index); the patterns are found in TypeScript, one pass over the jobs
// each.
//
// The four patterns (jobs outside [periodStart, periodEnd) by created_at are never read; "reused" jobs,
// which returned an earlier job's images for 0 credits, are never counted):
//
// draft-first: a succeeded create that charged > 0 at premium (spec.quality "premium", or a model whose
//   catalog quality is premium) and was then discarded (none of its assets is left in the library) or
//   re-run (a later create of the same member with the same normalised prompt, whatever its outcome).
//   Saving: its charge minus what the same spec at quality draft, provider auto would have captured for the
//   images delivered (the same share rule as the real charge), at least 0.
// reuse-identical: a succeeded create that charged > 0 while an earlier succeeded create of the team (any
//   member: reuse is team-wide) had the same normalised prompt, quality, provider and model route and
//   output size. Saving: its charge. A partial retry (see failed-retries) is priced there instead, since
//   only the images already delivered could have been reused.
// conservative-upscale: a succeeded creative upscale whose input (estimate.steps[0].billedSize) was at least
//   1 MP, where Stability advises conservative. Saving: its charge minus the same spec in conservative
//   mode, at least 0; it counts even at 0 (the default catalog prices both alike).
// failed-retries: the same request sent again by the same member (equal request_hash, or for creates, which
//   have no input image, the same normalised prompt); each finished job is paired with that member's
//   previous finished job of the same request. Counted: (a) a failed job whose retry failed again (saving
//   0: failures are never charged), and (b) a succeeded retry that charged > 0 of a partial delivery
//   (succeeded, charged > 0, 0 < completed < total), saving what the retry paid per image (charged / its
//   delivered images) times the images the earlier job had already delivered, rounded down, at most the
//   retry's charge.
//
// A member sees only their own jobs counted; earlier team jobs still count as what could have been reused.
// The response's total counts each job once, at most what it cost, though it may appear in two insights.
import type { InsightKind, Insight, InsightsResponse } from "../../core/api/insights.ts";
import { INSIGHT_KINDS } from "../../core/api/insights.ts";
import type { CreateSpec, JobSpec, UpscaleSpec } from "../../core/api/specs.ts";
import type { Catalog } from "../../core/catalog/schema.ts";
import { createOutputSize, estimate, findModel, operationKey, PIXELS_PER_MEGAPIXEL, type Estimate } from "../../core/estimate.ts";
import type { Sql, SqlValue } from "../db/sql.ts";
import type { JobProgress } from "../jobs/types.ts";

export interface InsightsInput {
  teamId: string;
  /** Count only this member's jobs; null for the whole team. */
  memberId: string | null;
  /** ISO text, inclusive. */
  periodStart: string;
  /** ISO text, exclusive. */
  periodEnd: string;
}

/** How many job ids each insight lists. */
export const INSIGHT_JOB_IDS = 5;

interface JobRow {
  id: string;
  member_id: string;
  operation: string;
  operation_key: string | null;
  request_hash: string;
  /** Only read for creates and upscales; null for the rest, whose settings no pattern looks at. */
  spec: string | null;
  status: string;
  charged: number | string;
  provider: string | null;
  model: string | null;
  progress: string;
  reused_from: string | null;
  /** Only read for upscales (the billed input size). */
  estimate: string | null;
}

/** A job of the period as the patterns see it. */
export interface InsightJob {
  id: string;
  memberId: string;
  operationKey: string;
  requestHash: string;
  /** Creates and upscales only. */
  spec: JobSpec | null;
  /** The create's prompt, trimmed and lower-cased; "" for every other job. */
  prompt: string;
  status: string;
  charged: number;
  provider: string | null;
  model: string | null;
  progress: Pick<JobProgress, "completed" | "total">;
  reusedFrom: string | null;
  estimate: Pick<Estimate, "steps"> | null;
}

/** The period's jobs oldest first; the id breaks ties so the order is the same on both databases. Wide
 * columns are read only for the operations whose patterns need them: 100k jobs must stay quick. */
const JOBS_SQL = `
  SELECT j.id, j.member_id, j.operation, j.operation_key, j.request_hash, j.status, j.charged, j.provider, j.model,
         j.progress, j.reused_from,
         CASE WHEN j.operation IN ('create', 'upscale') THEN j.spec END AS spec,
         CASE WHEN j.operation = 'upscale' THEN j.estimate END AS estimate
  FROM jobs j
  WHERE j.team_id = $1 AND j.created_at >= $2 AND j.created_at < $3
  ORDER BY j.created_at, j.id`;

/** Charged creates none of whose images is left in the library. */
const DISCARDED_SQL = `
  SELECT j.id FROM jobs j
  WHERE j.team_id = $1 AND j.created_at >= $2 AND j.created_at < $3
    AND j.operation = 'create' AND j.status = 'succeeded' AND j.charged > 0 AND j.reused_from IS NULL
    AND NOT EXISTS (SELECT 1 FROM assets a WHERE a.job_id = j.id)`;

/** Prompts match trimmed and case-insensitively. */
export function normalisePrompt(prompt: string | undefined): string {
  return (prompt ?? "").trim().toLowerCase();
}

function toJob(r: JobRow): InsightJob {
  const spec = r.spec ? (JSON.parse(r.spec) as JobSpec) : null;
  const progress = JSON.parse(r.progress) as JobProgress;
  return {
    id: r.id,
    memberId: r.member_id,
    operationKey: r.operation_key ?? (spec ? operationKey(spec) : r.operation),
    requestHash: r.request_hash,
    spec,
    prompt: spec?.operation === "create" ? normalisePrompt(spec.prompt) : "",
    status: r.status,
    charged: Number(r.charged),
    provider: r.provider,
    model: r.model,
    progress: { completed: progress.completed, total: progress.total },
    reusedFrom: r.reused_from,
    estimate: r.estimate ? (JSON.parse(r.estimate) as Estimate) : null,
  };
}

const credits = (n: number) => `${n} credit${n === 1 ? "" : "s"}`;

/** What a finished job would have captured at `total` (a price per image times its images) for the images it delivered. */
function capturedShare(total: number, job: InsightJob): number {
  const { completed, total: requested } = job.progress;
  if (requested <= 0 || completed >= requested) return total;
  return Math.floor((total * Math.max(0, completed)) / requested);
}

/** estimate().total, remembered by a key that determines it (many jobs share a handful of prices). */
function pricer(catalog: Catalog): (key: string, spec: () => JobSpec) => number {
  const prices = new Map<string, number>();
  return (key, spec) => {
    let price = prices.get(key);
    if (price === undefined) prices.set(key, (price = estimate(spec(), catalog).total));
    return price;
  };
}

function isPremium(spec: CreateSpec, catalog: Catalog): boolean {
  if (spec.quality === "premium") return true;
  return spec.provider !== "auto" && spec.model !== undefined && findModel(catalog, spec.provider, spec.model)?.quality === "premium";
}

/** One pattern's findings: the jobs counted, in time order, each with its saving (at least 0). */
type Finding = { job: InsightJob; saved: number }[];

const hit = (job: InsightJob, saved: number) => ({ job, saved: Math.max(0, saved) });

function sizeKey(catalog: Catalog, spec: Pick<CreateSpec, "aspectRatio">): string {
  const size = createOutputSize(catalog, spec);
  return size ? `${size.width}x${size.height}` : String(spec.aspectRatio);
}

/** Maps keyed by two strings, the first (a member, a prompt) a level of its own: 100k jobs would otherwise
 * each build and hash a long concatenated key. */
class Index2<V> {
  private readonly outer = new Map<string, Map<string, V>>();
  get(a: string, b: string): V | undefined {
    return this.outer.get(a)?.get(b);
  }
  set(a: string, b: string, value: V): void {
    let inner = this.outer.get(a);
    if (!inner) this.outer.set(a, (inner = new Map()));
    inner.set(b, value);
  }
}

export function findDraftFirst(jobs: readonly InsightJob[], discarded: ReadonlySet<string>, catalog: Catalog, counts: (j: InsightJob) => boolean): Finding {
  const found: Finding = [];
  const price = pricer(catalog);
  // Walking newest to oldest, "re-run later" is "seen already".
  const laterPrompts = new Index2<true>();
  for (let i = jobs.length - 1; i >= 0; i--) {
    const job = jobs[i]!;
    const spec = job.spec;
    if (spec?.operation !== "create") continue;
    if (
      counts(job) &&
      job.status === "succeeded" &&
      job.reusedFrom === null &&
      job.charged > 0 &&
      isPremium(spec, catalog) &&
      (discarded.has(job.id) || laterPrompts.get(job.memberId, job.prompt))
    ) {
      // A draft on "auto" costs the same for every spec with these variations and output size.
      const draft = price(`${spec.variations}\u0000${sizeKey(catalog, spec)}`, () => {
        const { model: _model, ...rest } = spec;
        return { ...rest, quality: "draft", provider: "auto" };
      });
      found.push(hit(job, job.charged - capturedShare(draft, job)));
    }
    laterPrompts.set(job.memberId, job.prompt, true);
  }
  return found.reverse();
}

export function findReuseIdentical(jobs: readonly InsightJob[], catalog: Catalog, counts: (j: InsightJob) => boolean, partialRetries: ReadonlySet<string>): Finding {
  const found: Finding = [];
  const made = new Index2<true>();
  for (const job of jobs) {
    const spec = job.spec;
    if (spec?.operation !== "create" || job.status !== "succeeded") continue;
    const settings = `${spec.quality} ${job.provider ?? ""} ${job.model ?? ""} ${sizeKey(catalog, spec)}`;
    if (counts(job) && job.charged > 0 && job.reusedFrom === null && made.get(job.prompt, settings) && !partialRetries.has(job.id)) found.push(hit(job, job.charged));
    made.set(job.prompt, settings, true);
  }
  return found;
}

export function findConservativeUpscale(jobs: readonly InsightJob[], catalog: Catalog, counts: (j: InsightJob) => boolean): Finding {
  const found: Finding = [];
  const price = pricer(catalog);
  for (const job of jobs) {
    const spec = job.spec;
    if (job.operationKey !== "upscale.creative" || spec?.operation !== "upscale" || job.status !== "succeeded" || job.reusedFrom !== null || !counts(job))
      continue;
    const input = job.estimate?.steps[0]?.billedSize ?? spec.input ?? null;
    if (!input || input.width * input.height < PIXELS_PER_MEGAPIXEL) continue;
    const conservative = price(`${spec.provider}\u0000${input.width}x${input.height}`, (): UpscaleSpec => ({ ...spec, mode: "conservative", input }));
    found.push(hit(job, job.charged - capturedShare(conservative, job)));
  }
  return found;
}

const finished = (job: InsightJob) => job.status === "succeeded" || job.status === "failed";
const isPartial = (job: InsightJob) =>
  job.status === "succeeded" && job.charged > 0 && job.progress.completed > 0 && job.progress.completed < job.progress.total;

export function findFailedRetries(jobs: readonly InsightJob[], counts: (j: InsightJob) => boolean): Finding {
  // Each member's latest finished job per request, by both identities of a request. A prompt identifies a
  // request only for creates: an edit or upscale with the same prompt may be of another image.
  const byHash = new Index2<number>();
  const byPrompt = new Index2<number>();
  const found: (Finding[number] & { at: number })[] = [];
  const failedCounted = new Set<string>();
  jobs.forEach((job, at) => {
    if (!finished(job)) return;
    // Only creates have a prompt here, so the operation needs no place in the key.
    const before = Math.max(byHash.get(job.memberId, job.requestHash) ?? -1, job.prompt ? (byPrompt.get(job.memberId, job.prompt) ?? -1) : -1);
    const previous = jobs[before];
    if (previous && counts(job)) {
      if (previous.status === "failed" && job.status === "failed") {
        if (!failedCounted.has(previous.id)) found.push({ ...hit(previous, 0), at: before });
        failedCounted.add(previous.id);
      } else if (isPartial(previous) && job.status === "succeeded" && job.charged > 0 && job.reusedFrom === null && job.progress.completed > 0) {
        const again = Math.floor((job.charged * previous.progress.completed) / job.progress.completed);
        found.push({ ...hit(job, Math.min(job.charged, again)), at });
      }
    }
    byHash.set(job.memberId, job.requestHash, at);
    if (job.prompt) byPrompt.set(job.memberId, job.prompt, at);
  });
  // A failed job is found when its retry is; list the jobs counted in their own time order.
  return found.sort((x, y) => x.at - y.at).map(({ job, saved }) => ({ job, saved }));
}

function texts(kind: InsightKind, catalog: Catalog): { title: string; advice: string } {
  const q = catalog.create.qualities;
  const up = catalog.upscale;
  switch (kind) {
    case "draft-first":
      return {
        title: "Draft first, then premium",
        advice: `Try ideas at draft (${credits(q.draft.credits)}) and make only the one you keep at premium (${q.premium.credits}).`,
      };
    case "reuse-identical":
      return {
        title: "Reuse what you already made",
        advice: "Before making the same prompt again, open its earlier result in the library: reusing an image costs nothing.",
      };
    case "conservative-upscale":
      return {
        title: "Conservative upscale for good images",
        advice:
          `Creative upscale is for small, degraded images under 1 megapixel; an image that is already good keeps its look with conservative upscale` +
          (up.conservative.credits < up.creative.credits ? ` (${credits(up.conservative.credits)} instead of ${up.creative.credits}).` : ` (${credits(up.conservative.credits)}).`),
      };
    case "failed-retries":
      return {
        title: "Change a failed request before retrying",
        advice: "If a job fails, change its prompt or provider before sending it again, and when a batch comes back incomplete ask only for the missing images.",
      };
  }
}

export async function insightsReport(db: Sql, catalog: Catalog, input: InsightsInput): Promise<InsightsResponse> {
  const params: SqlValue[] = [input.teamId, input.periodStart, input.periodEnd];
  const [rows, discardedRows] = await Promise.all([db.all<JobRow>(JOBS_SQL, params), db.all<{ id: string }>(DISCARDED_SQL, params)]);
  const jobs = rows.map(toJob);
  const discarded = new Set(discardedRows.map((r) => r.id));
  const counts = (j: InsightJob) => input.memberId === null || j.memberId === input.memberId;

  const retries = findFailedRetries(jobs, counts);
  // The succeeded jobs of failed-retries are partial retries, priced there for the images asked again.
  const partialRetries = new Set(retries.filter((h) => h.job.status === "succeeded").map((h) => h.job.id));
  const findings: Record<InsightKind, Finding> = {
    "draft-first": findDraftFirst(jobs, discarded, catalog, counts),
    "reuse-identical": findReuseIdentical(jobs, catalog, counts, partialRetries),
    "conservative-upscale": findConservativeUpscale(jobs, catalog, counts),
    "failed-retries": retries,
  };

  const insights: Insight[] = [];
  const byJob = new Map<string, { saved: number; charged: number }>();
  for (const kind of INSIGHT_KINDS) {
    const found = findings[kind];
    if (found.length === 0) continue;
    let saved = 0;
    for (const h of found) {
      saved += h.saved;
      const s = byJob.get(h.job.id) ?? { saved: 0, charged: h.job.charged };
      s.saved += h.saved;
      byJob.set(h.job.id, s);
    }
    insights.push({
      kind,
      ...texts(kind, catalog),
      occurrences: found.length,
      savedCredits: saved,
      jobIds: found.slice(-INSIGHT_JOB_IDS).reverse().map((h) => h.job.id),
    });
  }
  insights.sort((a, b) => b.savedCredits - a.savedCredits || b.occurrences - a.occurrences || INSIGHT_KINDS.indexOf(a.kind) - INSIGHT_KINDS.indexOf(b.kind));
  // A job in two insights (a premium re-made identically) saves at most what it cost.
  let total = 0;
  for (const s of byJob.values()) total += Math.min(s.saved, s.charged);
  return { period: { startsAt: input.periodStart, endsAt: input.periodEnd }, insights, savedCredits: total };
}
