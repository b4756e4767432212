// The provider choice every studio offers: Auto, or one of the providers that can do the job, with whether
// this proxy has it configured and, when not, the proxy's reason. Models a provider reported gone (issue 12,
// docs/providers.md) show here too: Create lists each model in its own select, while Edit and Upscale, whose
// model follows from the provider (core's operationModel), show it on the provider's choice.
import type { ProviderStatus } from "../../core/api/responses.ts";
import { servesCreate, type Catalog, type OperationKey } from "../../core/catalog/schema.ts";

/** Routing chosen by the proxy: the value of "Auto" in the provider and model choices. */
export const AUTO = "auto";

export interface ProviderOption {
  id: string;
  name: string;
  configured: boolean;
  /** Why it cannot be used, shown beside the disabled choice. */
  reason?: string;
  /** For a usable provider some of whose models for the job are gone: which, why, and the model used instead. */
  note?: string;
}

/**
 * Providers that can do the job (those listed in `offers`; by default those that create images), with
 * whether this proxy has it configured. A provider whose every model for the job (`operation`, by default
 * creating) was reported gone is off too, saying so; one that still has a model for it says which models
 * are gone and which one it will use.
 */
export function providerOptions(catalog: Catalog, statuses: readonly ProviderStatus[], offers?: readonly string[], operation?: OperationKey): ProviderOption[] {
  return catalog.providers
    .filter((p) => (offers ? offers.includes(p.id) : catalog.models.some((m) => m.provider === p.id && servesCreate(m))))
    .map((p) => {
      const status = statuses.find((s) => s.id === p.id);
      const gone = new Map(status?.unavailableModels?.map((m) => [m.model, m.reason]));
      // The provider's models for the job, in the order core's routing tries them (none: no model choice).
      const serving = catalog.models.filter((m) => m.provider === p.id && (operation ? m.operations.includes(operation) : !offers && servesCreate(m)));
      const lost = serving.filter((m) => gone.has(m.model));
      const allGone = serving.length > 0 && lost.length === serving.length;
      const configured = (status?.configured ?? false) && !allGone;
      const goneText = lost.map((m) => `${m.label}: ${gone.get(m.model)}`).join("; ");
      const reason = configured
        ? undefined
        : allGone && status?.configured
          ? operation
            ? `${p.name} no longer offers ${goneText}`
            : `${p.name} no longer offers any of its models`
          : (status?.reason ?? "not configured on this proxy");
      const used = serving.find((m) => !gone.has(m.model));
      const note = configured && operation && lost.length > 0 && used ? `${goneText}; uses ${used.label}` : undefined;
      return { id: p.id, name: p.name, configured, ...(reason ? { reason } : {}), ...(note ? { note } : {}) };
    });
}

/** What the choice says: its name, and why it is off or which of its models are gone. */
export function providerLabel(option: ProviderOption): string {
  if (!option.configured) return `${option.name} (${option.reason})`;
  return option.note ? `${option.name} (${option.note})` : option.name;
}
