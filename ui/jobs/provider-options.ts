// The provider choice every studio offers: Auto, or one of the providers that can do the job, with whether
// this proxy has it configured and, when not, the proxy's reason.
import type { ProviderStatus } from "../../core/api/responses.ts";
import { servesCreate, type Catalog } from "../../core/catalog/schema.ts";

/** Routing chosen by the proxy: the value of "Auto" in the provider and model choices. */
export const AUTO = "auto";

export interface ProviderOption {
  id: string;
  name: string;
  configured: boolean;
  /** Why it cannot be used, shown beside the disabled choice. */
  reason?: string;
}

/**
 * Providers that can do the job (those listed in `offers`; by default those that create images), with
 * whether this proxy has them configured. A provider whose every model for creating was reported gone is
 * off too, saying so.
 */
export function providerOptions(catalog: Catalog, statuses: readonly ProviderStatus[], offers?: readonly string[]): ProviderOption[] {
  return catalog.providers
    .filter((p) => (offers ? offers.includes(p.id) : catalog.models.some((m) => m.provider === p.id && servesCreate(m))))
    .map((p) => {
      const status = statuses.find((s) => s.id === p.id);
      const gone = new Set(status?.unavailableModels?.map((m) => m.model));
      const creates = catalog.models.filter((m) => m.provider === p.id && servesCreate(m));
      const allGone = !offers && creates.length > 0 && creates.every((m) => gone.has(m.model));
      const configured = (status?.configured ?? false) && !allGone;
      const reason = configured ? undefined : allGone && status?.configured ? `${p.name} no longer offers any of its models` : (status?.reason ?? "not configured on this proxy");
      return { id: p.id, name: p.name, configured, ...(reason ? { reason } : {}) };
    });
}
