// What every node has (plugin-api.d.ts, BaseNodeMixin and PluginDataMixin): id, name, parent, removal,
// plugin data and relaunch data.
import { expectType, utf8Length } from "../checks.ts";
import { checkAlive, INTERNAL, state, touch, type Doc, type NodeState } from "../internal.ts";
import { IDENTITY, copyTransform } from "../matrix.ts";
import { removeNode } from "../tree.ts";
import type { FakeBaseNode, FakeParentNode, FakeSceneNode } from "./types.ts";

/**
 * plugin-api.d.ts, PluginDataMixin.setPluginData: "The total size of your entry (`pluginId`, `key`,
 * `value`) cannot exceed 100 kB." Counted here in UTF-8 bytes, with kB as 1000 bytes (the stricter reading).
 */
export const PLUGIN_DATA_LIMIT = 100_000;

/** plugin-api.d.ts, BaseNodeMixin.setRelaunchData: "This method will throw if description exceeds 1000 characters". */
export const RELAUNCH_DESCRIPTION_LIMIT = 1000;

function initialState(doc: Doc, id: string, name: string, container: boolean): NodeState {
  return {
    doc,
    id,
    name,
    parent: null,
    removed: false,
    pluginData: new Map(),
    relaunch: {},
    children: container ? [] : null,
    rt: copyTransform(IDENTITY),
    width: 100,
    height: 100,
    visible: true,
    opacity: 1,
    effects: Object.freeze([]),
    fills: Object.freeze([]),
    strokes: Object.freeze([]),
    strokeWeight: 1,
    strokeAlign: "INSIDE",
    clipsContent: false,
    layoutMode: "NONE",
    selection: [],
    loaded: true,
    mainComponent: null,
  };
}

export abstract class FakeNodeBase {
  readonly [INTERNAL]: NodeState;

  constructor(doc: Doc, id: string, name: string, container: boolean) {
    this[INTERNAL] = initialState(doc, id, name, container);
    doc.nodes.set(id, this as unknown as FakeBaseNode);
  }

  get id(): string {
    return state(this).id;
  }

  get name(): string {
    return state(this).name;
  }
  set name(value: string) {
    const s = state(this);
    checkAlive(s, "set_name");
    // plugin-api.d.ts, BaseNodeMixin.name: "Calling `figma.root.name` will return the name, read-only, of the current file."
    if ((this as unknown as FakeBaseNode).type === "DOCUMENT") throw new Error("in set_name: the document's name is read-only");
    expectType("set_name", "name", value, "string");
    s.name = value;
    touch(s);
  }

  /** plugin-api.d.ts, BaseNodeMixin.parent: "The root node (i.e. `figma.root`) doesn't have a parent." */
  get parent(): FakeParentNode | null {
    return state(this).parent;
  }

  get removed(): boolean {
    return state(this).removed;
  }

  /** plugin-api.d.ts, BaseNodeMixin.remove: "Removes this node and **all of its children** from the document." */
  remove(): void {
    removeNode(this as unknown as FakeSceneNode);
  }

  /** plugin-api.d.ts, BaseNodeMixin.toString: "currently returns a string of the form `[Node ID]`". */
  toString(): string {
    return `[Node ${state(this).id}]`;
  }

  /** plugin-api.d.ts, PluginDataMixin.getPluginData: "If there is no data stored for the provided key, an empty string is returned." */
  getPluginData(key: string): string {
    expectType("getPluginData", "key", key, "string");
    return state(this).pluginData.get(key) ?? "";
  }

  setPluginData(key: string, value: string): void {
    const s = state(this);
    checkAlive(s, "setPluginData");
    expectType("setPluginData", "key", key, "string");
    expectType("setPluginData", "value", value, "string");
    // plugin-api.d.ts, PluginDataMixin.setPluginData: "If you set the value to the empty string (""), the
    // key/value pair is removed."
    if (value === "") s.pluginData.delete(key);
    else {
      const size = utf8Length(s.doc.pluginId) + utf8Length(key) + utf8Length(value);
      // Same source: "Total entry size cannot exceed 100 kB." Figma's error text is not documented.
      if (size > PLUGIN_DATA_LIMIT) throw new Error(`in setPluginData: Total entry size cannot exceed 100 kB (this entry is ${size} bytes)`);
      s.pluginData.set(key, value);
    }
    touch(s);
  }

  getPluginDataKeys(): string[] {
    return [...state(this).pluginData.keys()];
  }

  /** plugin-api.d.ts, BaseNodeMixin.setRelaunchData: "Each call to this method sets entirely new relaunch data". */
  setRelaunchData(data: { [command: string]: string }): void {
    const s = state(this);
    checkAlive(s, "setRelaunchData");
    expectType("setRelaunchData", "data", data, "object");
    const copy: { [command: string]: string } = {};
    for (const [command, description] of Object.entries(data)) {
      expectType("setRelaunchData", command, description, "string");
      // Figma's error text is not documented; the limit is.
      if (description.length > RELAUNCH_DESCRIPTION_LIMIT)
        throw new Error(`in setRelaunchData: the description of "${command}" exceeds ${RELAUNCH_DESCRIPTION_LIMIT} characters`);
      copy[command] = description;
    }
    s.relaunch = copy;
    touch(s);
  }

  getRelaunchData(): { [command: string]: string } {
    return { ...state(this).relaunch };
  }
}
