// Valid proxy answers for UI tests, built from core's types so they stay in step with the schemas.
import type { BatchView, Job, Me, ProviderStatus } from "../../core/api/responses.ts";
import type { CreateSpec } from "../../core/api/specs.ts";
import { DEFAULT_CATALOG } from "../../core/catalog/default-catalog.ts";
import { estimate } from "../../core/estimate.ts";

export const catalog = DEFAULT_CATALOG;

export const onlyLocal: ProviderStatus[] = DEFAULT_CATALOG.providers.map((p) =>
  p.id === "local" ? { id: p.id, name: p.name, configured: true } : { id: p.id, name: p.name, configured: false, reason: `${p.keyEnv} is not set` },
);

export function me(
  overrides: { tier?: Me["team"]["tier"]; available?: number | null; held?: number; cap?: number | null; spent?: number; capRemaining?: number | null } = {},
): Me {
  return {
    user: { id: "u1", name: "Ada" },
    role: "manager",
    team: { id: "t1", name: "Studio", tier: overrides.tier ?? "pro" },
    balance: { available: overrides.available === undefined ? 100 : overrides.available, held: overrides.held ?? 0, granted: 100, spent: 0, periodEndsAt: "2026-12-01T00:00:00.000Z" },
    member: { monthlyCap: overrides.cap ?? null, spent: overrides.spent ?? 0, capRemaining: overrides.capRemaining ?? null },
    freeUsed: {},
  };
}

export const spec: CreateSpec = { operation: "create", prompt: "a fox", quality: "standard", provider: "auto", aspectRatio: "1:1", variations: 2 };

export function job(overrides: Partial<Job> = {}): Job {
  return {
    id: "job-1",
    status: "queued",
    operation: "create",
    route: { provider: "local", model: "procedural" },
    progress: { stage: "queued", completed: 0, total: 2 },
    estimate: estimate(spec, DEFAULT_CATALOG),
    held: 8,
    charged: 0,
    assets: [],
    createdAt: "2026-11-21T10:00:00.000Z",
    updatedAt: "2026-11-21T10:00:00.000Z",
    ...overrides,
  };
}

export function asset(id: string) {
  return { id, width: 1024, height: 1024, contentType: "image/png" as const, bytes: 4, cost: 4, url: `/v1/assets/${id}/content` };
}

/** A batch as GET /v1/batches/:id shows it, its counts, held and charged taken from its items. */
export function batchView(items: Job[], overrides: Partial<BatchView> = {}): BatchView {
  const count = (s: Job["status"]) => items.filter((j) => j.status === s).length;
  const succeeded = count("succeeded");
  const failed = count("failed");
  const finished = succeeded + failed === items.length;
  return {
    id: "bat-1",
    status: !finished ? (count("queued") === items.length ? "queued" : "running") : failed === items.length ? "failed" : failed ? "partial" : "succeeded",
    operation: items[0]?.operation ?? "upscale",
    estimate: estimate({ items: items.map(() => ({ operation: "upscale", mode: "fast", provider: "auto", input: { width: 512, height: 384 } })) }, DEFAULT_CATALOG),
    held: items.reduce((n, j) => n + j.held, 0),
    charged: items.reduce((n, j) => n + j.charged, 0),
    progress: { total: items.length, queued: count("queued"), running: count("running"), succeeded, failed, cancelled: items.filter((j) => j.error?.code === "cancelled").length },
    cancelled: false,
    items,
    createdAt: "2026-11-21T10:00:00.000Z",
    updatedAt: "2026-11-21T10:00:00.000Z",
    ...overrides,
  };
}
