// Which providers this proxy can use: a catalog provider is configured when its key env var is set (or it
// needs none, like `local`) and this proxy has an adapter for it. The estimate routes only to configured
// providers, and /v1/catalog tells the panel why the others are off.
import type { Catalog } from "../../core/catalog/schema.ts";
import type { ProviderStatus } from "../../core/api/responses.ts";
import { LocalProvider } from "./local.ts";
import type { ProviderAdapter } from "./types.ts";

/** The adapters this proxy ships. Keyed providers join as their adapters are written. */
export function builtInAdapters(): ProviderAdapter[] {
  return [new LocalProvider()];
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
