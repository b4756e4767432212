// Argument checks in Figma's own words. developers.figma.com/docs/plugins/api/api-errors: "errors returned
// by the plugin API will follow this pattern: Error: in <property/method>: Expected <property> to have type
// <expected type> but got <actual type> instead" (e.g. `in set_opacity: Expected "opacity" to have type
// number but got string instead`).

type Kind = "string" | "number" | "boolean" | "object" | "array";

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

export function expectType(op: string, name: string, value: unknown, kind: Kind): void {
  const actual = kindOf(value);
  const ok = kind === "number" ? actual === "number" && Number.isFinite(value as number) : actual === kind;
  if (!ok) throw new Error(`in ${op}: Expected "${name}" to have type ${kind} but got ${actual} instead`);
}

/** Range checks: the rule is Figma's (cited at each call); the wording follows the pattern above but is not documented. */
export function expectRange(op: string, name: string, value: number, min: number, max = Infinity): void {
  expectType(op, name, value, "number");
  if (value < min) throw new Error(`in ${op}: Expected "${name}" to have value >= ${min}`);
  if (value > max) throw new Error(`in ${op}: Expected "${name}" to have value <= ${max}`);
}

/** UTF-8 byte length without TextEncoder (not every engine the fake is bridged into has it). */
export function utf8Length(s: string): number {
  let bytes = 0;
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}
