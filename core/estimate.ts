// estimate(): the one price function. The panel calls it for every cost badge and the server calls it for
// every charge, on the same catalog, so a badge cannot disagree with what the ledger captures.
// Pure: no I/O, no clock. Whatever depends on the caller (tier, balance, allowances used, configured
// providers) comes in through `context`.
import type { Catalog, CreateModel, EditKind, Model, OperationKey, Quality, Tier, TierId } from "./catalog/schema.ts";
import { servesCreate, TIERS } from "./catalog/schema.ts";
import type { Batch, CreateSpec, JobSpec, Plan, PlanStep, Size, SocialSpec } from "./api/specs.ts";
import type { ErrorCode } from "./api/errors.ts";

/** 1 MP = 1024 x 1024 px: a 1:1 image at the default size is exactly 1 MP. */
export const PIXELS_PER_MEGAPIXEL = 1024 * 1024;

export interface EstimateContext {
  /** The caller's tier; without it no tier gate is checked. */
  tier?: TierId;
  /** Credits available now; null = unlimited (enterprise); undefined = not checked. */
  available?: number | null;
  /** What is left of the member's monthly cap; null or undefined = no cap. */
  memberCapRemaining?: number | null;
  /** Free-allowance images already used this period, by `provider/model`. */
  freeUsed?: Readonly<Record<string, number>>;
  /** Providers with a key (local always); undefined = treat every provider as configured. */
  configuredProviders?: readonly string[];
  /**
   * Models their provider reported gone (retired, no longer served), by `provider/model`, with the reason:
   * auto routing skips them and an explicit choice of one is refused.
   */
  unavailableModels?: Readonly<Record<string, string>>;
  /**
   * An earlier job of the team identical to this spec (same operation, provider, model, parameters, seed
   * and input bytes), found by the server. Unless the spec asks for a fresh result, its assets are returned
   * for 0 credits.
   */
  reuse?: { jobId: string; images: number } | null;
  /**
   * What the caller's role may use (the team's policy, docs/api.md "Roles"); undefined or null = anything.
   * The proxy reads it inside the hold's transaction, so a request that skipped the estimate is refused too.
   */
  role?: RoleLimits | null;
  /** The project the job is charged to and what its budget has left (null = no budget). */
  project?: { id: string; name: string; remaining: number | null } | null;
}

/** A role's allowance: each list present restricts to its entries; absent = no restriction. */
export interface RoleRules {
  /** Operation keys: create, edit.<kind>, upscale.<mode>, social. */
  operations?: OperationKey[];
  /** Create qualities. */
  qualities?: Quality[];
  /** Models, as `provider/model`. */
  models?: string[];
}
export interface RoleLimits {
  role: "member" | "manager";
  rules: RoleRules;
}

export interface EstimateLine {
  label: string;
  quantity: number;
  unitCredits: number;
  credits: number;
  note?: string;
  /** Index of the plan step the line belongs to (0 for a single spec). */
  step: number;
}

export type EstimateReasonCode = Extract<
  ErrorCode,
  | "insufficient_credits"
  | "tier_required"
  | "member_cap_reached"
  | "provider_unavailable"
  | "invalid_request"
  | "project_budget_reached"
  | "role_not_allowed"
>;

export interface EstimateReason {
  code: EstimateReasonCode;
  message: string;
  details?: Record<string, unknown>;
}

export interface Route {
  provider: string;
  /** null where the operation has no model choice (edits, upscales, social). */
  model: string | null;
}

export interface StepResult {
  route: Route | null;
  /** Size of each billed image: the output of a create, the input of an edit or upscale. */
  billedSize: Size | null;
  images: number;
  /** Free-allowance images this step consumes, by `provider/model`. */
  freeUsed: Record<string, number>;
}

export interface Estimate {
  total: number;
  lines: EstimateLine[];
  allowed: boolean;
  reasons: EstimateReason[];
  steps: StepResult[];
  /** Set when the job would return an identical earlier job's images for 0 credits. */
  reuse?: { jobId: string };
}

export function megapixels(size: Size): number {
  return (size.width * size.height) / PIXELS_PER_MEGAPIXEL;
}

/** +credits per image for large images: the highest threshold the image is over. */
export function sizeSurcharge(catalog: Catalog, size: Size | null): number {
  if (!size) return 0;
  const mp = megapixels(size);
  let extra = 0;
  for (const s of catalog.sizeSurcharge) if (mp > s.overMegapixels) extra = Math.max(extra, s.credits);
  return extra;
}

export function modelPrice(model: CreateModel, size: Size): number {
  if (typeof model.price === "number") return model.price;
  const mp = megapixels(size);
  const step = model.price.steps.find((s) => s.upToMegapixels === null || mp <= s.upToMegapixels);
  return step!.credits; // the schema guarantees a final open-ended step
}

export function findModel(catalog: Catalog, provider: string, model: string): Model | undefined {
  return catalog.models.find((m) => m.provider === provider && m.model === model);
}

/** A catalog model that creates images, else undefined. */
export function findCreateModel(catalog: Catalog, provider: string, model: string): CreateModel | undefined {
  const found = findModel(catalog, provider, model);
  return found && servesCreate(found) ? found : undefined;
}

export const modelKey = (provider: string, model: string): string => `${provider}/${model}`;

/** Why a model cannot be used now (its provider reported it gone), or undefined when it can. */
export function unavailableReason(ctx: EstimateContext, provider: string, model: string): string | undefined {
  return ctx.unavailableModels?.[modelKey(provider, model)];
}

export function tierById(catalog: Catalog, id: TierId): Tier {
  const tier = catalog.tiers.find((t) => t.id === id);
  if (!tier) throw new Error(`catalog has no tier ${id}`);
  return tier;
}

export function operationKey(spec: JobSpec): OperationKey {
  switch (spec.operation) {
    case "create":
      return "create";
    case "edit":
      return `edit.${spec.kind}`;
    case "upscale":
      return `upscale.${spec.mode}`;
    case "social":
      return "social";
  }
}

/** Output size of a create: an explicit size, a catalog aspect ratio, or the catalog's default. */
export function createOutputSize(catalog: Catalog, spec: Pick<CreateSpec, "aspectRatio">): Size | null {
  const ar = spec.aspectRatio ?? catalog.create.defaultAspectRatio;
  if (typeof ar === "object") return ar;
  return catalog.create.aspectRatios[ar] ?? null;
}

function isConfigured(ctx: EstimateContext, provider: string): boolean {
  return ctx.configuredProviders === undefined || ctx.configuredProviders.includes(provider);
}

/** The model an explicit provider uses when no model is named: its entry in the quality's route, else its
 * first model of that quality, else its first model; models reported gone are passed over. */
export function defaultModelFor(catalog: Catalog, provider: string, quality: Quality, ctx: EstimateContext = {}): CreateModel | undefined {
  const usable = (m: CreateModel) => unavailableReason(ctx, m.provider, m.model) === undefined;
  const own = catalog.models.filter((m): m is CreateModel => m.provider === provider && servesCreate(m));
  const routed = catalog.create.qualities[quality].route.find((r) => r.provider === provider);
  const preferred = routed ? own.find((m) => m.model === routed.model) : undefined;
  const candidates = [preferred, ...own.filter((m) => m.quality === quality), ...own].filter((m): m is CreateModel => m !== undefined);
  return candidates.find(usable) ?? candidates[0];
}

/**
 * The model a provider uses for an edit or upscale: its first usable catalog model serving the operation.
 * null when the provider serves the operation without a model choice (no catalog model lists it);
 * undefined when every model that serves it is reported gone.
 */
export function operationModel(catalog: Catalog, provider: string, op: OperationKey, ctx: EstimateContext = {}): Model | null | undefined {
  const serving = catalog.models.filter((m) => m.provider === provider && m.operations.includes(op));
  if (serving.length === 0) return null;
  return serving.find((m) => unavailableReason(ctx, m.provider, m.model) === undefined);
}

/**
 * Problems with names that only the catalog can judge (unknown provider, model, aspect ratio, format).
 * The server answers them with 400 invalid_request before estimating; keys are field paths.
 */
export function catalogIssues(spec: JobSpec, catalog: Catalog): Record<string, string> {
  const issues: Record<string, string> = {};
  const providerIds = catalog.providers.map((p) => p.id);
  if (spec.operation !== "social" && spec.provider !== "auto" && !providerIds.includes(spec.provider))
    issues.provider = `unknown provider "${spec.provider}"; one of auto, ${providerIds.join(", ")}`;
  if (spec.operation === "create") {
    if (spec.templateId !== undefined && !catalog.templates.some((t) => t.id === spec.templateId))
      issues.templateId = `unknown template "${spec.templateId}"`;
    if (spec.model !== undefined) {
      if (spec.provider === "auto") issues.model = "a model needs an explicit provider";
      else if (!issues.provider && !findCreateModel(catalog, spec.provider, spec.model)) {
        const models = catalog.models.filter((m) => m.provider === spec.provider && servesCreate(m)).map((m) => m.model);
        issues.model = `unknown model "${spec.model}" for ${spec.provider}; one of ${models.join(", ")}`;
      }
    } else if (spec.provider !== "auto" && !issues.provider && !defaultModelFor(catalog, spec.provider, spec.quality)) {
      issues.provider = `${spec.provider} does not create images`;
    }
    if (spec.stylePreset !== undefined && !catalog.stylePresets.includes(spec.stylePreset))
      issues.stylePreset = `unknown style preset "${spec.stylePreset}"; one of ${catalog.stylePresets.join(", ") || "none"}`;
    if (typeof spec.aspectRatio === "string" && !(spec.aspectRatio in catalog.create.aspectRatios))
      issues.aspectRatio = `unknown aspect ratio; one of ${Object.keys(catalog.create.aspectRatios).join(", ")}`;
  }
  if (spec.operation === "edit" || spec.operation === "upscale") {
    const supported = spec.operation === "edit" ? catalog.edit[spec.kind].providers : catalog.upscale[spec.mode].providers;
    if (spec.provider !== "auto" && !issues.provider && !supported.includes(spec.provider))
      issues.provider = `${spec.provider} does not do this operation; ${supported.length ? `one of ${supported.join(", ")}` : "no provider does"}`;
  }
  if (spec.operation === "social") {
    const known = new Set(catalog.social.formats.map((f) => f.id));
    spec.formats.forEach((f, i) => {
      if (!known.has(f)) issues[`formats.${i}`] = `unknown format "${f}"`;
    });
  }
  return issues;
}

/** The lowest tier that allows every listed need, or null if none does. */
function lowestTierAllowing(catalog: Catalog, needs: { quality?: Quality; variations: number; op: OperationKey }): TierId | null {
  for (const id of TIERS) {
    const t = tierById(catalog, id);
    if (needs.quality && !t.qualities.includes(needs.quality)) continue;
    if (needs.variations > t.maxVariations) continue;
    if (t.operations !== "all" && !t.operations.includes(needs.op)) continue;
    return id;
  }
  return null;
}

const tierRank = (id: TierId) => TIERS.indexOf(id);

interface StepPricing {
  lines: Omit<EstimateLine, "step">[];
  result: StepResult;
  reasons: EstimateReason[];
  gate: { quality?: Quality; variations: number; op: OperationKey };
}

function sizeLabel(size: Size | null): string {
  return size ? ` · ${size.width}×${size.height}` : "";
}

function surchargeLines(catalog: Catalog, size: Size | null, quantity: number): Omit<EstimateLine, "step">[] {
  const extra = sizeSurcharge(catalog, size);
  if (extra === 0 || quantity === 0) return [];
  return [
    {
      label: "Large image",
      quantity,
      unitCredits: extra,
      credits: extra * quantity,
      note: `over ${Math.max(...catalog.sizeSurcharge.filter((s) => megapixels(size!) > s.overMegapixels).map((s) => s.overMegapixels))} MP`,
    },
  ];
}

function priceCreate(spec: CreateSpec, count: number, catalog: Catalog, ctx: EstimateContext, freeUsed: Record<string, number>): StepPricing {
  const size = createOutputSize(catalog, spec);
  const images = spec.variations * count;
  const routed = routeCreate(spec, catalog, ctx);
  const reasons: EstimateReason[] = [];
  const lines: Omit<EstimateLine, "step">[] = [];
  let gateQuality: Quality = spec.quality;
  const stepFree: Record<string, number> = {};
  /** Images that pay the price (and the size surcharge): all but those a free allowance covers. */
  let paid = images;

  if (spec.provider === "auto") {
    const q = catalog.create.qualities[spec.quality];
    reasons.push(...routed.reasons);
    lines.push({ label: `Create · ${spec.quality}${sizeLabel(size)}`, quantity: images, unitCredits: q.credits, credits: q.credits * images });
  } else {
    const model = routed.model;
    if (!model || !size) {
      reasons.push(UNKNOWN_CREATE(spec));
      return { lines, reasons, result: { route: null, billedSize: size, images, freeUsed: stepFree }, gate: { variations: spec.variations, op: "create" } };
    }
    gateQuality = model.quality;
    reasons.push(...routed.reasons);
    const key = `${model.provider}/${model.model}`;
    const freeLeft = Math.max(0, model.freePerPeriod - (ctx.freeUsed?.[key] ?? 0) - (freeUsed[key] ?? 0));
    const free = Math.min(images, freeLeft);
    const unit = modelPrice(model, size);
    if (free > 0) {
      lines.push({ label: `${model.label}${sizeLabel(size)}`, quantity: free, unitCredits: 0, credits: 0, note: `free allowance: ${freeLeft} of ${model.freePerPeriod} left this period` });
      stepFree[key] = free;
      freeUsed[key] = (freeUsed[key] ?? 0) + free;
    }
    paid = images - free;
    if (paid > 0) lines.push({ label: `${model.label}${sizeLabel(size)}`, quantity: paid, unitCredits: unit, credits: unit * paid });
  }
  lines.push(...surchargeLines(catalog, size, paid));
  return { lines, reasons, result: { route: routed.route, billedSize: size, images, freeUsed: stepFree }, gate: { quality: gateQuality, variations: spec.variations, op: "create" } };
}

function providerName(catalog: Catalog, id: string): string {
  return catalog.providers.find((p) => p.id === id)?.name ?? id;
}

const EDIT_LABELS: Record<EditKind, string> = {
  "remove-background": "Remove background",
  inpaint: "Inpaint",
  outpaint: "Outpaint",
  "search-replace": "Search & replace",
  "search-recolor": "Search & recolor",
  "replace-background-relight": "Replace background & relight",
  erase: "Erase",
  general: "General edit",
};

function priceImageOperation(spec: Exclude<JobSpec, CreateSpec>, count: number, catalog: Catalog, ctx: EstimateContext): StepPricing {
  const op = operationKey(spec);
  const gate = { variations: 1, op };
  if (spec.operation === "social") {
    const n = spec.formats.length * count;
    return {
      lines: [{ label: "Social formats", quantity: n, unitCredits: catalog.social.credits, credits: catalog.social.credits * n, note: "included" }],
      reasons: [],
      result: { route: null, billedSize: spec.input ?? null, images: n, freeUsed: {} },
      gate,
    };
  }
  const price = spec.operation === "edit" ? catalog.edit[spec.kind] : catalog.upscale[spec.mode];
  const label = operationLabel(spec);
  const { route, reasons } = routeImageOperation(spec, catalog, ctx);
  const size = spec.input ?? null;
  return {
    lines: [
      { label: `${label}${sizeLabel(size)}`, quantity: count, unitCredits: price.credits, credits: price.credits * count },
      ...surchargeLines(catalog, size, count),
    ],
    reasons,
    result: { route, billedSize: size, images: count, freeUsed: {} },
    gate,
  };
}

/** Where a job is routed (estimate() prices it there, the proxy runs it there), or why it cannot be. */
interface Routing {
  route: Route | null;
  reasons: EstimateReason[];
  /** An explicit create's catalog model (auto creates are priced by quality, not by model). */
  model?: CreateModel;
}

const UNKNOWN_CREATE = (spec: CreateSpec): EstimateReason => ({
  code: "invalid_request",
  message: "Unknown provider, model or size",
  details: { provider: spec.provider, model: spec.model },
});

function routeCreate(spec: CreateSpec, catalog: Catalog, ctx: EstimateContext): Routing {
  if (spec.provider === "auto") {
    const configured = catalog.create.qualities[spec.quality].route.filter((r) => isConfigured(ctx, r.provider));
    const first = configured.find((r) => unavailableReason(ctx, r.provider, r.model) === undefined);
    if (first) return { route: { provider: first.provider, model: first.model }, reasons: [] };
    return {
      route: null,
      reasons: [
        {
          code: "provider_unavailable",
          message:
            configured.length > 0
              ? `Every configured model for ${spec.quality} images is gone: ${configured.map((r) => `${r.provider}/${r.model} (${unavailableReason(ctx, r.provider, r.model)})`).join("; ")}`
              : `No configured provider makes ${spec.quality} images`,
          details: { quality: spec.quality },
        },
      ],
    };
  }
  const model = spec.model ? findCreateModel(catalog, spec.provider, spec.model) : defaultModelFor(catalog, spec.provider, spec.quality, ctx);
  if (!model) return { route: null, reasons: [UNKNOWN_CREATE(spec)] };
  const route = { provider: model.provider, model: model.model };
  const gone = unavailableReason(ctx, model.provider, model.model);
  if (!isConfigured(ctx, model.provider))
    return { route, model, reasons: [{ code: "provider_unavailable", message: `${providerName(catalog, model.provider)} is not configured on this proxy`, details: { provider: model.provider } }] };
  if (gone !== undefined)
    return {
      route,
      model,
      reasons: [
        {
          code: "provider_unavailable",
          message: `${model.label} is no longer offered by ${providerName(catalog, model.provider)}: ${gone}`,
          details: { provider: model.provider, model: model.model, reason: gone },
        },
      ],
    };
  return { route, model, reasons: [] };
}

function operationLabel(spec: Exclude<JobSpec, CreateSpec | SocialSpec>): string {
  return spec.operation === "edit" ? EDIT_LABELS[spec.kind] : `Upscale · ${spec.mode}`;
}

function routeImageOperation(spec: Exclude<JobSpec, CreateSpec | SocialSpec>, catalog: Catalog, ctx: EstimateContext): Routing {
  const op = operationKey(spec);
  const label = operationLabel(spec);
  const providers = (spec.operation === "edit" ? catalog.edit[spec.kind] : catalog.upscale[spec.mode]).providers;
  const candidates = spec.provider === "auto" ? providers : providers.filter((p) => p === spec.provider);
  const configured = candidates.filter((p) => isConfigured(ctx, p));
  // A provider whose models for this operation are all gone cannot do it now.
  for (const p of configured) {
    const model = operationModel(catalog, p, op, ctx);
    if (model !== undefined) return { route: { provider: p, model: model?.model ?? null }, reasons: [] };
  }
  return {
    route: null,
    reasons: [
      {
        code: "provider_unavailable",
        message:
          configured.length > 0
            ? `The models that do ${label.toLowerCase()} are no longer offered by ${configured.map((p) => providerName(catalog, p)).join(" or ")}`
            : spec.provider === "auto"
              ? `No configured provider does ${label.toLowerCase()}`
              : `${providerName(catalog, spec.provider)} is not configured on this proxy`,
        details: { operation: op, provider: spec.provider },
      },
    ],
  };
}

/**
 * Where a job goes without pricing it: the provider (and model) estimate() would price, or the reason no
 * configured provider can take it now (`unavailable`). It depends only on the catalog and on which providers
 * and models are usable (`configuredProviders`, `unavailableModels`), never on the caller's tier, balance or
 * allowances, so the proxy routes and checks a job before it reads the figures the job is priced from.
 */
export function routeJob(spec: JobSpec, catalog: Catalog, ctx: EstimateContext = {}): { route: Route | null; unavailable: EstimateReason | null } {
  const routed = spec.operation === "create" ? routeCreate(spec, catalog, ctx) : spec.operation === "social" ? { route: null, reasons: [] } : routeImageOperation(spec, catalog, ctx);
  return { route: routed.route, unavailable: routed.reasons.find((r) => r.code === "provider_unavailable") ?? null };
}

/** The first thing the caller's role may not use (operation, quality, model), as a reason; null when allowed. */
function refusedByRole(steps: readonly PlanStep[], results: readonly StepResult[], limits: RoleLimits): EstimateReason | null {
  const { rules, role } = limits;
  const who = role === "manager" ? "Managers" : "Members";
  for (const [i, step] of steps.entries()) {
    const op = operationKey(step as JobSpec);
    if (rules.operations && !rules.operations.includes(op))
      return { code: "role_not_allowed", message: `${who} of this team may not use ${op}`, details: { role, operation: op } };
    if (step.operation === "create" && rules.qualities && !rules.qualities.includes(step.quality))
      return { code: "role_not_allowed", message: `${who} of this team may not use ${step.quality} quality`, details: { role, quality: step.quality } };
    const route = results[i]?.route;
    if (rules.models && route?.model && !rules.models.includes(modelKey(route.provider, route.model)))
      return {
        code: "role_not_allowed",
        message: `${who} of this team may not use the model ${route.provider}/${route.model}`,
        details: { role, model: modelKey(route.provider, route.model) },
      };
  }
  return null;
}

function isPlan(input: JobSpec | Plan | Batch): input is Plan {
  return "plan" in input;
}

export function isBatch(input: JobSpec | Plan | Batch): input is Batch {
  return "items" in input;
}

/** A batch bigger than the caller's tier runs at once: refused before anything is held (400). */
function batchLimit(batch: Batch, catalog: Catalog, ctx: EstimateContext): EstimateReason | null {
  if (!ctx.tier) return null;
  const tier = tierById(catalog, ctx.tier);
  if (batch.items.length <= tier.maxBatch) return null;
  return {
    code: "invalid_request",
    message: `The ${tier.name} tier acts on at most ${tier.maxBatch} images at once; this batch has ${batch.items.length}`,
    details: { fields: { items: `must have at most ${tier.maxBatch} items on the ${tier.name} tier` }, maxBatch: tier.maxBatch, items: batch.items.length, tier: tier.id },
  };
}

/**
 * Price a job spec, a plan or a batch for a caller. `total` is what the ledger will hold and, on success,
 * capture. A batch is priced as a plan of its items, one step each (`step` of a line is the item's index),
 * so each image pays its own size surcharge and the tier, balance and cap are checked against the whole.
 */
export function estimate(input: JobSpec | Plan | Batch, catalog: Catalog, ctx: EstimateContext = {}): Estimate {
  const steps: PlanStep[] = isPlan(input)
    ? input.plan
    : isBatch(input)
      ? input.items.map((item) => ({ ...item, count: 1 }) as PlanStep)
      : [{ ...input, count: 1 } as PlanStep];
  const lines: EstimateLine[] = [];
  const reasons: EstimateReason[] = [];
  const results: StepResult[] = [];
  const freeUsed: Record<string, number> = {};
  let requiredTier: TierId | null = null;
  let tierImpossible = false;

  steps.forEach((step, index) => {
    const { count, ...spec } = step;
    const priced =
      spec.operation === "create"
        ? priceCreate(spec as CreateSpec, count, catalog, ctx, freeUsed)
        : priceImageOperation(spec as Exclude<JobSpec, CreateSpec>, count, catalog, ctx);
    for (const l of priced.lines) lines.push({ ...l, step: index });
    for (const r of priced.reasons) if (!reasons.some((x) => x.code === r.code && x.message === r.message)) reasons.push(r);
    results.push(priced.result);
    if (ctx.tier) {
      const lowest = lowestTierAllowing(catalog, priced.gate);
      if (lowest === null) tierImpossible = true;
      else if (tierRank(lowest) > tierRank(ctx.tier) && (requiredTier === null || tierRank(lowest) > tierRank(requiredTier)))
        requiredTier = lowest;
    }
  });

  const reused = !isPlan(input) && !isBatch(input) && input.operation !== "social" && !input.fresh ? ctx.reuse : null;
  if (reused) {
    // Nothing new is made: no provider is called, no allowance is used, nothing is charged.
    lines.splice(0, lines.length, {
      label: "Reuse of an identical earlier result",
      quantity: reused.images,
      unitCredits: 0,
      credits: 0,
      note: "same settings, seed and image; ask for a fresh result to make a new one",
      step: 0,
    });
    for (let i = reasons.length - 1; i >= 0; i--) if (reasons[i]!.code === "provider_unavailable") reasons.splice(i, 1);
    results[0] = { ...results[0]!, images: reused.images, freeUsed: {} };
  }
  const total = lines.reduce((sum, l) => sum + l.credits, 0);
  const tooBig = isBatch(input) ? batchLimit(input, catalog, ctx) : null;
  if (ctx.tier && (requiredTier || tierImpossible)) {
    reasons.unshift({
      code: "tier_required",
      message: requiredTier ? `Needs the ${tierById(catalog, requiredTier).name} tier` : "No tier allows this combination",
      details: { tier: requiredTier, currentTier: ctx.tier },
    });
  }
  const roleRefusal = ctx.role ? refusedByRole(steps, results, ctx.role) : null;
  if (roleRefusal) reasons.unshift(roleRefusal);
  if (ctx.project && ctx.project.remaining !== null && total > ctx.project.remaining)
    reasons.push({
      code: "project_budget_reached",
      message: `Project ${ctx.project.name} has ${ctx.project.remaining} credits left of its budget; this needs ${total}`,
      details: { projectId: ctx.project.id, needed: total, remaining: ctx.project.remaining },
    });
  if (ctx.memberCapRemaining !== undefined && ctx.memberCapRemaining !== null && total > ctx.memberCapRemaining)
    reasons.push({
      code: "member_cap_reached",
      message: `Your monthly cap has ${ctx.memberCapRemaining} credits left; this needs ${total}`,
      details: { needed: total, remaining: ctx.memberCapRemaining },
    });
  if (ctx.available !== undefined && ctx.available !== null && total > ctx.available)
    reasons.push({
      code: "insufficient_credits",
      message: `Needs ${total} credits; ${ctx.available} available (${total - ctx.available} short)`,
      details: { needed: total, available: ctx.available, shortfall: total - ctx.available },
    });
  // First: a batch too big for the tier is a bad request, whatever else is wrong with it.
  if (tooBig) reasons.unshift(tooBig);

  return { total, lines, allowed: reasons.length === 0, reasons, steps: results, ...(reused ? { reuse: { jobId: reused.jobId } } : {}) };
}
