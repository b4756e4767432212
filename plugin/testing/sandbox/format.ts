// Host values as one line of text, for console output and for thrown values that are not Errors.

export function formatValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (value instanceof Uint8Array) return `Uint8Array(${value.length})`;
  if (typeof value === "function") return `[Function ${value.name || "anonymous"}]`;
  if (typeof value !== "object" || value === null) return String(value);
  const proto: unknown = Object.getPrototypeOf(value);
  // Host class instances (nodes, the API object) reach the console by reference: name them, do not walk them.
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return `[${className(value)}]`;
  try {
    return JSON.stringify(value, (_key, item: unknown) => (typeof item === "bigint" ? `${item}n` : typeof item === "symbol" ? String(item) : item)) ?? String(value);
  } catch {
    return Array.isArray(value) ? "[Array]" : "[Object]";
  }
}

function className(value: object): string {
  const ctor: unknown = (value as { constructor?: unknown }).constructor;
  return typeof ctor === "function" && ctor.name ? ctor.name : "Object";
}
