// The copy Figma makes of data crossing to the UI or into client storage. plugin-api.d.ts,
// UIAPI.postMessage: "You can send objects, arrays, numbers, strings, booleans, null, undefined, Date objects
// and Uint8Array objects. However, functions and prototype chains of objects will not be sent." Client
// storage (developers.figma.com/docs/plugins/api/figma-clientStorage) "allows storing objects, arrays,
// strings, numbers, booleans, null, undefined and `Uint8Array`". Functions are left out and class instances
// arrive as plain objects; anything else (ArrayBuffer, other typed arrays, Map, symbols, cycles) is refused,
// since what Figma does with it is not documented and a plugin should not send it.

export function structuredCopy(value: unknown, where: string): unknown {
  const seen = new Set<object>();
  const copy = (v: unknown, path: string): unknown => {
    if (v === null || v === undefined || typeof v === "string" || typeof v === "boolean") return v;
    if (typeof v === "number") return v;
    if (typeof v === "function") return undefined;
    if (typeof v !== "object") throw new Error(`fake-figma: ${where} cannot carry a ${typeof v} (at ${path})`);
    if (v instanceof Uint8Array) return v.slice();
    if (v instanceof Date) return new Date(v.getTime());
    if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof Map || v instanceof Set)
      throw new Error(`fake-figma: ${where} cannot carry a ${Object.prototype.toString.call(v).slice(8, -1)} (at ${path}); send a Uint8Array`);
    if (seen.has(v)) throw new Error(`fake-figma: ${where} cannot carry a cyclic value (at ${path})`);
    seen.add(v);
    let out: unknown;
    if (Array.isArray(v)) out = v.map((item, i) => copy(item, `${path}[${i}]`));
    else {
      const o: { [key: string]: unknown } = {};
      for (const [k, item] of Object.entries(v)) if (typeof item !== "function") o[k] = copy(item, `${path}.${k}`);
      out = o;
    }
    seen.delete(v);
    return out;
  };
  return copy(value, "value");
}

/**
 * developers.figma.com/docs/plugins/api/figma-clientStorage: "You can approximate the quota used by a
 * key/value pair by adding the size of the key to the size of the value converted to JSON. The main
 * exception is that Uint8Array values counts as the size of the Uint8Array".
 */
export function storageSize(key: string, value: unknown): number {
  let bytes = 0;
  const json = JSON.stringify(value, (_k, v: unknown) => {
    if (v instanceof Uint8Array) {
      bytes += v.byteLength;
      return 0;
    }
    return v;
  });
  return key.length + (json?.length ?? 0) + bytes;
}
