// Provenance on placed nodes, within Figma's plugin-data limit: "The total size of your entry (pluginId,
// key, value) cannot exceed 100 kB" (developers.figma.com/docs/plugins/api/properties/nodes-setplugindata),
// and setPluginData throws past it. A job's spec repeats its prompt, and a long prompt in a non-Latin script
// takes up to 3 bytes a character, so the spec can pass the limit: it is then stored without its prompt
// (kept once under its own key and put back for Regenerate), and dropped only if it is still too big. A
// throw in the middle of a placement would leave half a job on the canvas.
import type { Provenance } from "../core/messages.ts";

/** Bytes left for a value: the limit less a margin for the plugin id and the key (ids are short). */
export const PLUGIN_DATA_VALUE_BUDGET = 100_000 - 1_000;

/** Plugin data keys on each placed node: the provenance Regenerate and later studios read back. */
export const PROVENANCE_KEYS = ["jobId", "assetId", "prompt", "operation", "spec"] as const;
/** Set when the stored spec lacks its prompt, which the `prompt` key holds. */
export const SPEC_WITHOUT_PROMPT_KEY = "specWithoutPrompt";

/** UTF-8 length of a string, counted by hand: the sandbox has no TextEncoder. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4; // a surrogate pair is one 4-byte character
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** The longest start of `text` within `budget` UTF-8 bytes, never splitting a surrogate pair. */
export function trimToBytes(text: string, budget: number): string {
  if (utf8Length(text) <= budget) return text;
  let bytes = 0;
  let end = 0;
  while (end < text.length) {
    const code = text.charCodeAt(end);
    const pair = code >= 0xd800 && code <= 0xdbff && end + 1 < text.length;
    const size = code < 0x80 ? 1 : code < 0x800 ? 2 : pair ? 4 : 3;
    if (bytes + size > budget) break;
    bytes += size;
    end += pair ? 2 : 1;
  }
  return text.slice(0, end);
}

export interface StoredProvenance {
  values: Record<(typeof PROVENANCE_KEYS)[number], string>;
  /** True when `spec` was stored without its prompt. */
  specWithoutPrompt: boolean;
}

/** The plugin data to store for a result, every value within the budget. */
export function provenanceData(provenance: Provenance, assetId: string): StoredProvenance {
  const prompt = trimToBytes(provenance.prompt ?? "", PLUGIN_DATA_VALUE_BUDGET);
  let spec = provenance.spec ?? "";
  let specWithoutPrompt = false;
  if (utf8Length(spec) > PLUGIN_DATA_VALUE_BUDGET) {
    const slim = withoutPrompt(spec);
    specWithoutPrompt = slim !== null && utf8Length(slim) <= PLUGIN_DATA_VALUE_BUDGET;
    spec = specWithoutPrompt ? slim! : "";
  }
  return { values: { jobId: provenance.jobId, assetId, prompt, operation: provenance.operation, spec }, specWithoutPrompt };
}

function withoutPrompt(spec: string): string | null {
  try {
    const parsed: unknown = JSON.parse(spec);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return null;
    const { prompt: _prompt, ...rest } = parsed as Record<string, unknown>;
    return JSON.stringify(rest);
  } catch {
    return null;
  }
}

/** The spec as the job sent it: the stored one, with its prompt put back if it was stored without. */
export function restoredSpec(spec: string, prompt: string, specWithoutPrompt: boolean): string {
  if (!specWithoutPrompt || spec === "") return spec;
  try {
    const parsed = JSON.parse(spec) as Record<string, unknown>;
    return JSON.stringify({ ...parsed, prompt });
  } catch {
    return spec;
  }
}
