// Small host object graphs for the sandbox's own tests, shaped like what a fake Figma hands the plugin:
// class instances for everything with identity, frozen plain data for fills, a unique symbol for `mixed`.
import { afterEach } from "vitest";
import { createSandbox, type Sandbox, type SandboxOptions } from "./index.ts";
import { loadQuickJS } from "./quickjs-node.ts";

export type Fill = Readonly<{ type: "SOLID"; color: Readonly<{ r: number; g: number; b: number }> }>;

export class HostNode {
  private label = "Rectangle";
  private paints: readonly Fill[] = Object.freeze([Object.freeze({ type: "SOLID", color: Object.freeze({ r: 1, g: 0, b: 0 }) })]);
  private readonly data = new Map<string, string>();
  cornerRadius: number | symbol;
  #secret = "private";

  constructor(
    readonly id: string,
    mixed: symbol,
  ) {
    this.cornerRadius = mixed;
  }

  get name(): string {
    return this.label;
  }
  set name(value: string) {
    if (typeof value !== "string") throw new TypeError("name must be a string");
    this.label = value;
  }
  /** Like Figma's: a frozen array of frozen paints, replaced only by assigning a new array. */
  get fills(): readonly Fill[] {
    return this.paints;
  }
  set fills(value: readonly Fill[]) {
    this.paints = Object.freeze(value.map((f) => Object.freeze({ ...f, color: Object.freeze({ ...f.color }) })));
  }
  /** Needs the right `this`: reads a private field. */
  describe(): string {
    return `${this.id}:${this.label}:${this.#secret}`;
  }
  getPluginData(key: string): string {
    return this.data.get(key) ?? "";
  }
  setPluginData(key: string, value: string): void {
    if (value.length > 100) throw new RangeError("plugin data entries are limited to 100 characters here");
    this.data.set(key, value);
  }
  async exportAsync(): Promise<Uint8Array> {
    await Promise.resolve();
    return new Uint8Array([137, 80, 78, 71]);
  }
  remove(): void {
    throw new Error(`node ${this.id} is locked`);
  }
}

export class HostUI {
  onmessage: ((message: unknown) => unknown) | undefined;
  readonly posted: unknown[] = [];
  postMessage(message: unknown): void {
    this.posted.push(message);
  }
  /** What Figma does when the panel posts: call the plugin's handler. */
  deliver(message: unknown): unknown {
    return this.onmessage?.(message);
  }
}

export class HostStorage {
  readonly values = new Map<string, unknown>();
  async getAsync(key: string): Promise<unknown> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    return this.values.get(key);
  }
  async setAsync(key: string, value: unknown): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, 5));
    this.values.set(key, value);
  }
  async failAsync(): Promise<never> {
    await new Promise((resolve) => setTimeout(resolve, 1));
    throw new Error("storage is full");
  }
}

export class HostApi {
  readonly mixed = Symbol("mixed");
  readonly ui = new HostUI();
  readonly clientStorage = new HostStorage();
  readonly nodes = [new HostNode("1:1", this.mixed), new HostNode("1:2", this.mixed)];
  private selected: readonly HostNode[] = Object.freeze([this.nodes[0]!]);
  private readonly listeners = new Map<string, Set<(...args: unknown[]) => unknown>>();
  /** Whatever the plugin hands to `keep`, for tests to inspect. */
  readonly kept: unknown[] = [];
  /** A host built-in with identity: crosses by reference, its methods and iterators run on the host. */
  readonly registry = new Map<string, number>([
    ["a", 1],
    ["b", 2],
  ]);

  get apiVersion(): string {
    return "1.0.0";
  }

  get selection(): readonly HostNode[] {
    return this.selected;
  }
  set selection(nodes: readonly HostNode[]) {
    for (const node of nodes) if (!(node instanceof HostNode)) throw new TypeError("selection takes nodes");
    this.selected = Object.freeze([...nodes]);
  }
  getNodeById(id: string): HostNode | null {
    return this.nodes.find((n) => n.id === id) ?? null;
  }
  on(event: string, handler: (...args: unknown[]) => unknown): void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(handler);
  }
  off(event: string, handler: (...args: unknown[]) => unknown): void {
    this.listeners.get(event)?.delete(handler);
  }
  listenerCount(event: string): number {
    return this.listeners.get(event)?.size ?? 0;
  }
  emit(event: string, ...args: unknown[]): void {
    for (const handler of this.listeners.get(event) ?? []) handler(...args);
  }
  keep(value: unknown): void {
    this.kept.push(value);
  }
  echo<T>(value: T): T {
    return value;
  }
}

const open: Sandbox[] = [];

/** A sandbox on the shared engine, disposed after the test (disposal is where QuickJS finds leaks). */
export async function sandbox(options: Partial<SandboxOptions> = {}): Promise<Sandbox> {
  const box = createSandbox({ quickjs: await loadQuickJS(), figma: new HostApi(), ...options });
  open.push(box);
  return box;
}

afterEach(() => {
  for (const box of open.splice(0)) box.dispose();
});
