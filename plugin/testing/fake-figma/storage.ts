// figma.clientStorage (plugin-api.d.ts, ClientStorageAPI): per-plugin values kept on the user's machine,
// stored and returned as copies (structured-copy.ts).
import { expectType } from "./checks.ts";
import { checkOpen, PRIVATE, type Doc } from "./internal.ts";
import { storageSize, structuredCopy } from "./structured-copy.ts";

/**
 * developers.figma.com/docs/plugins/api/figma-clientStorage: "Each plugin gets a total of 5MB of storage."
 * Counted as 5,000,000 (the stricter reading of MB). setAsync rejects past it ("The returned promise will
 * resolve if storage is successful, or reject with an error message if storage failed"); Figma's message is
 * not documented.
 */
export const CLIENT_STORAGE_LIMIT = 5_000_000;

export class FakeClientStorage implements ClientStorageAPI {
  readonly [PRIVATE]: { doc: Doc; values: Map<string, unknown> };

  constructor(doc: Doc) {
    this[PRIVATE] = { doc, values: new Map() };
  }

  /** plugin-api.d.ts, ClientStorageAPI.getAsync: "If no value has been stored for that key, this function will asynchronously return `undefined`." */
  async getAsync(key: string): Promise<unknown> {
    checkOpen(this[PRIVATE].doc, "clientStorage.getAsync");
    expectType("clientStorage.getAsync", "key", key, "string");
    const values = this[PRIVATE].values;
    return values.has(key) ? structuredCopy(values.get(key), "clientStorage") : undefined;
  }

  async setAsync(key: string, value: unknown): Promise<void> {
    checkOpen(this[PRIVATE].doc, "clientStorage.setAsync");
    expectType("clientStorage.setAsync", "key", key, "string");
    const copy = structuredCopy(value, "clientStorage");
    const values = this[PRIVATE].values;
    let total = storageSize(key, copy);
    for (const [k, v] of values) if (k !== key) total += storageSize(k, v);
    if (total > CLIENT_STORAGE_LIMIT) throw new Error(`clientStorage.setAsync: over the 5MB quota of client storage (${total} bytes)`);
    values.set(key, copy);
  }

  /** plugin-api.d.ts, ClientStorageAPI.deleteAsync: "If no such key is stored, this function will return normally". */
  async deleteAsync(key: string): Promise<void> {
    checkOpen(this[PRIVATE].doc, "clientStorage.deleteAsync");
    this[PRIVATE].values.delete(key);
  }

  async keysAsync(): Promise<string[]> {
    checkOpen(this[PRIVATE].doc, "clientStorage.keysAsync");
    return [...this[PRIVATE].values.keys()];
  }
}
