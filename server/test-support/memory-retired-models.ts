// Retired-model reports kept in memory, for unit tests that build a ProviderRegistry without a database.
import type { RetiredModel, RetiredModelStore } from "../providers/retired-models.ts";

export function memoryRetiredModels(initial: RetiredModel[] = []): RetiredModelStore & { rows: RetiredModel[] } {
  const rows = [...initial];
  return {
    rows,
    list: async () => rows.map((r) => ({ ...r })),
    async retire(provider, upstream, reason) {
      if (!rows.some((r) => r.provider === provider && r.upstream === upstream)) rows.push({ provider, upstream, reason, since: new Date().toISOString() });
    },
    async restore(provider, upstream) {
      const i = rows.findIndex((r) => r.provider === provider && r.upstream === upstream);
      if (i >= 0) rows.splice(i, 1);
      return i >= 0;
    },
  };
}
