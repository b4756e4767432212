// Figma hands out paints, effects, selections and child lists as read-only values. From
// developers.figma.com/docs/plugins/editing-properties: "we marked all the properties in those objects as
// readonly", with the errors `figma.currentPage.selection.push(otherNode)` -> "object is not extensible" and
// `node.fills[0].color.r = 10` -> "Cannot assign to read only property 'r' of object". Deep-frozen copies
// give exactly those errors in strict-mode code.

/** A deep copy of plain data (objects and arrays), frozen at every level. */
export function frozenCopy<T>(value: T): T {
  if (Array.isArray(value)) return Object.freeze(value.map((v: unknown) => frozenCopy(v))) as unknown as T;
  if (value !== null && typeof value === "object") {
    const out: { [key: string]: unknown } = {};
    for (const [k, v] of Object.entries(value)) out[k] = frozenCopy(v);
    return Object.freeze(out) as T;
  }
  return value;
}

/** A fresh frozen array of node references (the nodes themselves stay live objects). */
export function frozenList<T>(items: readonly T[]): readonly T[] {
  return Object.freeze(items.slice());
}
