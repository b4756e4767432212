// `npm run admin -- providers check`: one cheap authenticated call per configured provider (a balance, an
// account, a model list: whatever each documents), saying whether the key is valid, invalid or without
// billing, and which catalog models the provider lists as available. A model this database has marked gone
// that its provider lists again is made usable again (the mark is evidence-based both ways).
import type { Catalog } from "../../core/catalog/schema.ts";
import type { ProviderRegistry } from "../providers/registry.ts";
import type { RetiredModel, RetiredModelStore } from "../providers/retired-models.ts";
import { ProviderError } from "../providers/types.ts";

export interface ModelCheck {
  model: string;
  upstream: string;
  /** Listed by the provider as available; false: not listed; null: the provider publishes no list. */
  listed: boolean | null;
  /** This database's mark that the provider reported it gone, if any (after a restore: none). */
  retired?: { reason: string; since: string };
  /** The mark was cleared by this check because the provider lists the model again. */
  restored?: true;
}

export interface ProviderCheckRow {
  id: string;
  name: string;
  configured: boolean;
  /** not-configured: no key; error: the check call itself failed (unreachable, 5xx). */
  key: "valid" | "invalid" | "no-billing" | "not-configured" | "error";
  detail: string;
  models: ModelCheck[];
}

const CHECK_TIMEOUT_MS = 30_000;

export async function checkProviders(catalog: Catalog, registry: ProviderRegistry, retired: RetiredModelStore): Promise<ProviderCheckRow[]> {
  const marks = await retired.list();
  const markOf = (provider: string, upstream: string): RetiredModel | undefined => marks.find((r) => r.provider === provider && r.upstream === upstream);
  const rows: ProviderCheckRow[] = [];
  for (const status of registry.statuses()) {
    const models = catalog.models.filter((m) => m.provider === status.id);
    const modelRows = (listed: (upstream: string) => boolean | null): ModelCheck[] =>
      models.map((m) => {
        const mark = markOf(m.provider, m.upstream);
        return { model: m.model, upstream: m.upstream, listed: listed(m.upstream), ...(mark ? { retired: { reason: mark.reason, since: mark.since } } : {}) };
      });
    const adapter = registry.adapter(status.id);
    if (!status.configured || !adapter) {
      rows.push({ id: status.id, name: status.name, configured: false, key: "not-configured", detail: status.reason ?? "not configured", models: modelRows(() => null) });
      continue;
    }
    if (!adapter.check) {
      // The offline provider has no account: its models are always there.
      rows.push({ id: status.id, name: status.name, configured: true, key: "valid", detail: "needs no key", models: modelRows(() => true) });
      continue;
    }
    try {
      const result = await adapter.check([...new Set(models.map((m) => m.upstream))], AbortSignal.timeout(CHECK_TIMEOUT_MS));
      const checked = modelRows((u) => result.listed[u] ?? null);
      for (const row of checked)
        if (row.retired && row.listed === true && (await retired.restore(status.id, row.upstream))) {
          delete row.retired;
          row.restored = true;
        }
      rows.push({ id: status.id, name: status.name, configured: true, key: result.key, detail: result.detail, models: checked });
    } catch (error) {
      const detail = error instanceof ProviderError ? error.message : "the check failed unexpectedly";
      rows.push({ id: status.id, name: status.name, configured: true, key: "error", detail, models: modelRows(() => null) });
    }
  }
  return rows;
}

/** A configured provider whose key is not plainly usable makes the command fail (exit 1), for scripts and CI. */
export function checksPassed(rows: readonly ProviderCheckRow[]): boolean {
  return rows.every((r) => !r.configured || r.key === "valid");
}

export function checksText(rows: readonly ProviderCheckRow[]): string {
  const lines: string[] = [];
  for (const r of rows) {
    lines.push(`${r.name} (${r.id}): ${r.key === "not-configured" ? "not configured" : `key ${r.key}`} · ${r.detail}`);
    if (!r.configured) continue;
    for (const m of r.models) {
      const listed = m.listed === null ? "not listable" : m.listed ? "listed" : "NOT listed";
      const mark = m.retired ? ` · marked gone since ${m.retired.since}: ${m.retired.reason}` : m.restored ? " · listed again: usable again" : "";
      lines.push(`  ${m.model.padEnd(24)} ${m.upstream.padEnd(42)} ${listed}${mark}`);
    }
  }
  return lines.join("\n");
}
