// Page selections. developers.figma.com/docs/plugins/api/properties/PageNode-selection: "Each page stores its
// own selection separately"; "When setting the selection, the API will de-deduplicate nodes"; "Only
// **directly selected nodes** are present in this array ... the array will never contain both a node and one
// of its descendents." Possible error cases there: "Cannot select the document node", "Cannot select the page
// node", "The selection of a page can only include nodes in that page" (thrown as "in set_selection: ...",
// the text plugins report).
import { isInside, pageOf } from "./ancestry.ts";
import { frozenList } from "./freeze.ts";
import { checkOpen, INTERNAL, state, type Doc } from "./internal.ts";
import type { FakePage } from "./nodes/page.ts";
import type { FakeSceneNode } from "./nodes/types.ts";

/**
 * What page.selection reads: the selected nodes still on the page and not removed (plugin-api.d.ts,
 * PluginAPI.on, "selectionchange": it fires "When a selected node is deleted" and "When a selected node
 * becomes the child of another selected node").
 */
export function selectedNodes(page: FakePage): FakeSceneNode[] {
  const s = state(page);
  const nodes: FakeSceneNode[] = [];
  for (const id of s.selection) {
    const node = s.doc.nodes.get(id);
    if (node && node.type !== "PAGE" && node.type !== "DOCUMENT" && !state(node).removed && pageOf(node) === page) nodes.push(node);
  }
  return nodes.filter((n) => !nodes.some((other) => other !== n && isInside(n, other)));
}

export function readSelection(page: FakePage): readonly FakeSceneNode[] {
  return frozenList(selectedNodes(page));
}

export function writeSelection(page: FakePage, value: unknown): void {
  const s = state(page);
  checkOpen(s.doc, "set_selection");
  if (!Array.isArray(value)) throw new Error(`in set_selection: Expected "selection" to have type array but got ${typeof value} instead`);
  const ids: string[] = [];
  for (const node of value as unknown[]) {
    if (node === null || typeof node !== "object" || !(INTERNAL in node)) throw new Error("in set_selection: Expected every item to be a node");
    const target = node as FakeSceneNode | FakePage;
    if ((target.type as string) === "DOCUMENT") throw new Error("in set_selection: Cannot select the document node");
    if (target.type === "PAGE") throw new Error("in set_selection: Cannot select the page node");
    if (state(target).removed || pageOf(target) !== page)
      throw new Error("in set_selection: The selection of a page can only include nodes in that page");
    if (!ids.includes(target.id)) ids.push(target.id);
  }
  s.selection = ids;
  // plugin-api.d.ts, PluginAPI.on, "selectionchange": "changing the selection via the plugin API, then
  // changing it back to its previous value immediately still triggers the event" - but only for the
  // selection "of the **current page**".
  if (s.doc.currentPage === page) s.doc.events.schedule("selectionchange");
}

/** Runs a change and queues "selectionchange" if it changed what the current page's selection reads. */
export function watchSelection<T>(doc: Doc, change: () => T): T {
  const before = selectedNodes(doc.currentPage).map((n) => n.id).join();
  const result = change();
  if (selectedNodes(doc.currentPage).map((n) => n.id).join() !== before) doc.events.schedule("selectionchange");
  return result;
}
