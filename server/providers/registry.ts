// Which providers this proxy can use: a catalog provider is configured when its key env var is set (or it
// needs none, like `local`) and this proxy has an adapter for it. The estimate routes only to configured
// providers, and /v1/catalog tells the panel why the others are off.
import type { Catalog } from "../../core/catalog/schema.ts";
import type { ProviderStatus } from "../../core/api/responses.ts";
import type { Config } from "../config.ts";
import { GeminiAdapter } from "./gemini.ts";
import { HuggingFaceAdapter } from "./huggingface.ts";
import { LocalProvider } from "./local.ts";
import { StabilityAdapter } from "./stability.ts";
import type { ProviderAdapter } from "./types.ts";
import { WaveSpeedAdapter } from "./wavespeed.ts";

/** The adapters this proxy ships: local always, each keyed provider when its key is set. */
export function builtInAdapters(config: Pick<Config, "providers">, keyFor: (envName: string) => string | undefined): ProviderAdapter[] {
  const p = config.providers;
  const adapters: ProviderAdapter[] = [new LocalProvider()];
  const stability = keyFor("STABILITY_API_KEY");
  if (stability) adapters.push(new StabilityAdapter({ apiKey: stability, ...p.stability }));
  const wavespeed = keyFor("WAVESPEED_API_KEY");
  if (wavespeed) adapters.push(new WaveSpeedAdapter({ apiKey: wavespeed, ...p.wavespeed }));
  const hf = keyFor("HF_TOKEN");
  if (hf) adapters.push(new HuggingFaceAdapter({ token: hf, ...p.huggingface }));
  const gemini = keyFor("GEMINI_API_KEY");
  if (gemini) adapters.push(new GeminiAdapter({ apiKey: gemini, ...p.gemini }));
  return adapters;
}

export class ProviderRegistry {
  private readonly adapters = new Map<string, ProviderAdapter>();
  private readonly statusList: ProviderStatus[];

  /** Later adapters with the same id replace earlier ones (tests inject fakes this way). */
  constructor(catalog: Catalog, adapters: readonly ProviderAdapter[], keyFor: (envName: string) => string | undefined) {
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
}
