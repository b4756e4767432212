// figma.on/once/off. plugin-api.d.ts, PluginAPI.on: "the `.on` API runs the callbacks **asynchronously**"
// and "The callback will not necessarily be called each time the event happens" (two selection changes in
// one turn fire once): events are queued and delivered together in a later microtask.

export type FakeEventType = "selectionchange" | "currentpagechange" | "close" | "run";
export type Listener = (...args: never[]) => unknown;

const EVENT_TYPES: readonly string[] = ["selectionchange", "currentpagechange", "close", "run"];

interface Registration {
  type: FakeEventType;
  callback: Listener;
  once: boolean;
}

export function checkEventType(type: string): FakeEventType {
  // Not a Figma rule: the fake does not produce other events, so registering one is a gap worth seeing.
  if (!EVENT_TYPES.includes(type)) throw new Error(`fake-figma: the "${type}" event is not modelled`);
  return type as FakeEventType;
}

export class EventHub {
  private registrations: Registration[] = [];
  private pending: FakeEventType[] = [];
  private flushing: Promise<void> | null = null;

  add(type: FakeEventType, callback: Listener, once: boolean): void {
    this.registrations.push({ type, callback, once });
  }

  /** plugin-api.d.ts, PluginAPI.off: removes a callback added with on or once (the same function object). */
  remove(type: FakeEventType, callback: Listener): void {
    this.registrations = this.registrations.filter((r) => !(r.type === type && r.callback === callback));
  }

  /** Queues an event for the next microtask; repeats before then collapse into one call. */
  schedule(type: FakeEventType): void {
    if (!this.pending.includes(type)) this.pending.push(type);
    // plugin-api.d.ts, PluginAPI.on, "selectionchange": "a `currentpagechange` event always triggers a
    // `selectionchange` event".
    if (type === "currentpagechange" && !this.pending.includes("selectionchange")) this.pending.push("selectionchange");
    if (!this.flushing) this.flushing = Promise.resolve().then(() => this.flush());
  }

  /** Calls the listeners of `type` now, with `args` (for "run" and "close", which Figma sends itself). */
  emit(type: FakeEventType, ...args: unknown[]): void {
    for (const r of this.registrations.filter((x) => x.type === type)) {
      if (r.once) this.remove(type, r.callback);
      (r.callback as (...a: unknown[]) => unknown)(...args);
    }
  }

  /** Resolves once every queued event has been delivered. */
  async settled(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  private flush(): void {
    // plugin-api.d.ts, PluginAPI.on: a page change implies a selection change, so it is delivered first.
    const order: FakeEventType[] = ["currentpagechange", "selectionchange", "close", "run"];
    const due = order.filter((t) => this.pending.includes(t));
    this.pending = [];
    this.flushing = null;
    for (const type of due) this.emit(type);
  }
}
