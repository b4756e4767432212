// Which providers this proxy can use: a catalog provider is configured when its key env var is set (or it
// needs none, like `local`) and this proxy has an adapter for it. The estimate routes only to configured
// providers and past models their provider reported gone; /v1/catalog tells the panel why the others are off.
import type { Catalog } from "../../core/catalog/schema.ts";
import type { ProviderStatus } from "../../core/api/responses.ts";
import { modelKey } from "../../core/estimate.ts";
import type { Config } from "../config.ts";
import { Slots } from "../slots.ts";
import { GeminiAdapter } from "./gemini.ts";
import { HuggingFaceAdapter } from "./huggingface.ts";
import { LocalProvider } from "./local.ts";
import type { RateGate } from "./rate-gate.ts";
import type { RetiredModelStore } from "./retired-models.ts";
import { StabilityAdapter } from "./stability.ts";
import type { ProviderAdapter } from "./types.ts";
import { WaveSpeedAdapter } from "./wavespeed.ts";

/** The adapters this proxy ships: local always, each keyed provider when its key is set. */
export function builtInAdapters(
  config: Pick<Config, "providers">,
  keyFor: (envName: string) => string | undefined,
  imageWork: Slots = new Slots(1),
  /** Each provider's 429 lock-out; default each adapter's own (one process), shared on PostgreSQL (rate-gate.ts). */
  gateFor?: (provider: string) => RateGate,
): ProviderAdapter[] {
  const p = config.providers;
  const gate = (provider: string) => (gateFor ? { gate: gateFor(provider) } : {});
  const adapters: ProviderAdapter[] = [new LocalProvider(imageWork)];
  const stability = keyFor("STABILITY_API_KEY");
  if (stability) adapters.push(new StabilityAdapter({ apiKey: stability, ...p.stability, ...gate("stability") }));
  const wavespeed = keyFor("WAVESPEED_API_KEY");
  if (wavespeed) adapters.push(new WaveSpeedAdapter({ apiKey: wavespeed, ...p.wavespeed, ...gate("wavespeed") }));
  const hf = keyFor("HF_TOKEN");
  if (hf) adapters.push(new HuggingFaceAdapter({ token: hf, ...p.huggingface, ...gate("huggingface") }));
  const gemini = keyFor("GEMINI_API_KEY");
  if (gemini) adapters.push(new GeminiAdapter({ apiKey: gemini, ...p.gemini, ...gate("gemini") }));
  return adapters;
}

export interface UnavailableModel {
  reason: string;
  since: string;
}

/** Reports are read from the database at most this often per proxy; a report this proxy makes applies at once. */
const RETIRED_CACHE_MS = 1000;

export class ProviderRegistry {
  private readonly adapters = new Map<string, ProviderAdapter>();
  private readonly statusList: ProviderStatus[];
  private retiredCache: { at: number; models: Promise<Record<string, UnavailableModel>> } | null = null;

  /** Later adapters with the same id replace earlier ones (tests inject fakes this way). */
  constructor(
    private readonly catalog: Catalog,
    adapters: readonly ProviderAdapter[],
    keyFor: (envName: string) => string | undefined,
    private readonly retired: RetiredModelStore,
  ) {
    for (const a of adapters) this.adapters.set(a.id, a);
    this.statusList = catalog.providers.map((p) => {
      if (p.keyEnv && !keyFor(p.keyEnv))
        return { id: p.id, name: p.name, configured: false, reason: `Set ${p.keyEnv} on the proxy to use ${p.name}` };
      if (!this.adapters.has(p.id))
        return { id: p.id, name: p.name, configured: false, reason: `${p.name} is not supported by this proxy version yet` };
      return { id: p.id, name: p.name, configured: true };
    });
  }

  statuses(): ProviderStatus[] {
    return this.statusList.map((s) => ({ ...s }));
  }

  configuredIds(): string[] {
    return this.statusList.filter((s) => s.configured).map((s) => s.id);
  }

  /** The adapter of a configured provider, else undefined. */
  adapter(id: string): ProviderAdapter | undefined {
    return this.statusList.some((s) => s.id === id && s.configured) ? this.adapters.get(id) : undefined;
  }

  /**
   * Catalog models their provider reported gone, by `provider/model`. A report is stored by the id sent
   * upstream, so a catalog that points the model at another id makes it usable again.
   */
  unavailableModels(): Promise<Record<string, UnavailableModel>> {
    const now = Date.now();
    if (!this.retiredCache || now - this.retiredCache.at > RETIRED_CACHE_MS) {
      const models = this.retired.list().then((rows) => {
        const out: Record<string, UnavailableModel> = {};
        for (const m of this.catalog.models) {
          const row = rows.find((r) => r.provider === m.provider && r.upstream === m.upstream);
          if (row) out[modelKey(m.provider, m.model)] = { reason: row.reason, since: row.since };
        }
        return out;
      });
      // A failed read is not cached: the next request asks the database again.
      models.catch(() => (this.retiredCache = null));
      this.retiredCache = { at: now, models };
    }
    return this.retiredCache.models;
  }

  /** The reasons alone, as estimate() takes them. */
  async unavailableReasons(): Promise<Record<string, string>> {
    const models = await this.unavailableModels();
    return Object.fromEntries(Object.entries(models).map(([key, m]) => [key, m.reason]));
  }

  /** Marks a catalog model gone for every proxy on this database (its first report wins). */
  async retire(provider: string, model: string, reason: string): Promise<void> {
    const entry = this.catalog.models.find((m) => m.provider === provider && m.model === model);
    if (!entry) return;
    await this.retired.retire(provider, entry.upstream, reason);
    this.retiredCache = null;
  }

  /** The provider statuses with the models each provider reported gone (GET /v1/catalog). */
  async statusesWithModels(): Promise<ProviderStatus[]> {
    const gone = await this.unavailableModels();
    return this.statuses().map((s) => {
      const models = this.catalog.models
        .filter((m) => m.provider === s.id && gone[modelKey(m.provider, m.model)])
        .map((m) => ({ model: m.model, ...gone[modelKey(m.provider, m.model)]! }));
      return models.length ? { ...s, unavailableModels: models } : s;
    });
  }
}
