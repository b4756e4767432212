import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { ProviderQueue, type QueueChange, type Slot } from "./provider-queue.ts";

const PRIORITY = { free: 0, basic: 1, pro: 2, enterprise: 3 } as const;

/** Lets pending promise callbacks run. */
const tick = () => new Promise<void>((r) => setImmediate(r));

/** Acquires and records the order in which slots are granted. */
function tracker(queue: ProviderQueue, provider = "gemini") {
  const order: string[] = [];
  const slots = new Map<string, Slot>();
  const acquire = (id: string, priority: number, signal?: AbortSignal) =>
    queue.acquire(provider, { id, priority }, signal).then((slot) => {
      order.push(id);
      slots.set(id, slot);
      return slot;
    });
  const release = (id: string) => slots.get(id)!.release();
  return { order, slots, acquire, release };
}

describe("ProviderQueue", () => {
  it("grants at once while slots are free, then makes jobs wait", async () => {
    const queue = new ProviderQueue({ limits: { gemini: 2 }, defaultLimit: 1 });
    const t = tracker(queue);
    await t.acquire("a", 0);
    await t.acquire("b", 0);
    void t.acquire("c", 0);
    await tick();
    expect(t.order).toEqual(["a", "b"]);
    expect(queue.position("c")).toBe(0);
    expect(queue.position("a")).toBeNull();
    expect(queue.stats().gemini).toMatchObject({ limit: 2, running: 2, waiting: 1 });
    t.release("a");
    await tick();
    expect(t.order).toEqual(["a", "b", "c"]);
    expect(queue.position("c")).toBeNull();
  });

  it("serves enterprise before free even when enterprise arrived later", async () => {
    const queue = new ProviderQueue({ limits: {}, defaultLimit: 1 });
    const t = tracker(queue);
    await t.acquire("holder", PRIORITY.free);
    void t.acquire("free-1", PRIORITY.free);
    void t.acquire("basic-1", PRIORITY.basic);
    void t.acquire("free-2", PRIORITY.free);
    void t.acquire("enterprise-1", PRIORITY.enterprise);
    void t.acquire("pro-1", PRIORITY.pro);
    void t.acquire("enterprise-2", PRIORITY.enterprise);
    expect(["enterprise-1", "enterprise-2", "pro-1", "basic-1", "free-1", "free-2"].map((id) => queue.position(id))).toEqual([0, 1, 2, 3, 4, 5]);
    for (const id of ["holder", "enterprise-1", "enterprise-2", "pro-1", "basic-1", "free-1"]) {
      t.release(id);
      await tick();
    }
    expect(t.order).toEqual(["holder", "enterprise-1", "enterprise-2", "pro-1", "basic-1", "free-1", "free-2"]);
  });

  it("is FIFO within a priority", async () => {
    const queue = new ProviderQueue({ defaultLimit: 1 });
    const t = tracker(queue);
    await t.acquire("holder", 2);
    const ids = Array.from({ length: 20 }, (_, i) => `job-${i}`);
    for (const id of ids) void t.acquire(id, 2);
    for (const id of ["holder", ...ids.slice(0, -1)]) {
      t.release(id);
      await tick();
    }
    expect(t.order).toEqual(["holder", ...ids]);
  });

  it("keeps a job that arrives behind a waiting line in the line, even if a slot is momentarily free", async () => {
    const queue = new ProviderQueue({ defaultLimit: 1 });
    const t = tracker(queue);
    await t.acquire("a", 0);
    void t.acquire("b", 0);
    t.release("a"); // b is granted synchronously: no gap for a newcomer to jump into
    void t.acquire("c", 3);
    await tick();
    expect(t.order).toEqual(["a", "b"]);
    expect(queue.position("c")).toBe(0);
  });

  it("limits each provider separately, with the default for unlisted ones", async () => {
    const queue = new ProviderQueue({ limits: { stability: 3 }, defaultLimit: 1 });
    const s = tracker(queue, "stability");
    const w = tracker(queue, "wavespeed");
    for (const id of ["s1", "s2", "s3", "s4"]) void s.acquire(id, 0);
    for (const id of ["w1", "w2"]) void w.acquire(id, 0);
    await tick();
    expect(s.order).toEqual(["s1", "s2", "s3"]);
    expect(w.order).toEqual(["w1"]);
    expect(queue.stats()).toMatchObject({ stability: { limit: 3, running: 3, waiting: 1 }, wavespeed: { limit: 1, running: 1, waiting: 1 } });
  });

  it("never runs more than the limit under many concurrent acquirers", async () => {
    const limit = 3;
    const queue = new ProviderQueue({ limits: { gemini: limit }, defaultLimit: 1 });
    let running = 0;
    let peak = 0;
    const order: { id: number; priority: number }[] = [];
    const jobs = Array.from({ length: 200 }, (_, id) =>
      (async () => {
        const priority = id % 4;
        await sleep(id % 7); // arrivals spread over time, interleaved with releases
        const slot = await queue.acquire("gemini", { id: `job-${id}`, priority });
        running++;
        peak = Math.max(peak, running);
        expect(running).toBeLessThanOrEqual(limit);
        order.push({ id, priority });
        await sleep(id % 3);
        running--;
        slot.release();
        slot.release(); // idempotent: must not free a second slot
      })(),
    );
    await Promise.all(jobs);
    expect(peak).toBe(limit);
    expect(order).toHaveLength(200);
    expect(queue.stats().gemini).toMatchObject({ limit, running: 0, waiting: 0, peakRunning: limit, granted: 200 });
  });

  it("drains a large mixed line in exact priority-then-arrival order", async () => {
    const queue = new ProviderQueue({ limits: { gemini: 3 }, defaultLimit: 1 });
    const t = tracker(queue);
    for (const id of ["h1", "h2", "h3"]) await t.acquire(id, 0);
    // A fixed pseudo-random sequence of tiers, so the test is deterministic.
    let x = 12345;
    const waiting = Array.from({ length: 100 }, (_, i) => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return { id: `j${i}`, priority: x % 4, arrival: i };
    });
    for (const w of waiting) void t.acquire(w.id, w.priority);
    const expected = [...waiting].sort((a, b) => b.priority - a.priority || a.arrival - b.arrival).map((w) => w.id);
    expected.forEach((id, i) => expect(queue.position(id)).toBe(i));
    const holders = ["h1", "h2", "h3"];
    while (t.order.length < 103) {
      t.release(holders.shift()!);
      await tick();
      holders.push(t.order.at(-1)!);
      expect(queue.stats().gemini!.running).toBe(3);
    }
    expect(t.order.slice(3)).toEqual(expected);
  });

  it("release is idempotent", async () => {
    const queue = new ProviderQueue({ defaultLimit: 1 });
    const t = tracker(queue);
    await t.acquire("a", 0);
    void t.acquire("b", 0);
    void t.acquire("c", 0);
    t.release("a");
    t.release("a");
    await tick();
    expect(t.order).toEqual(["a", "b"]);
    expect(queue.stats().gemini).toMatchObject({ running: 1, waiting: 1 });
  });

  it("reports positions to listeners as the line moves", async () => {
    const changes: QueueChange[] = [];
    const queue = new ProviderQueue({ defaultLimit: 1, onChange: (c) => changes.push(c) });
    const t = tracker(queue);
    await t.acquire("run", 0);
    expect(changes).toEqual([]); // no line yet
    void t.acquire("free", 0);
    void t.acquire("pro", 2);
    const controller = new AbortController();
    t.acquire("basic", 1, controller.signal).catch(() => {});
    const positions = (c: QueueChange) => Object.fromEntries(c.waiting.map((w) => [w.jobId, w.position]));
    expect(changes.map(positions)).toEqual([{ free: 0 }, { pro: 0, free: 1 }, { pro: 0, basic: 1, free: 2 }]);

    controller.abort(new Error("cancelled"));
    await tick();
    expect(positions(changes.at(-1)!)).toEqual({ pro: 0, free: 1 });
    expect(queue.position("basic")).toBeNull();

    t.release("run");
    expect(changes.at(-1)).toEqual({ provider: "gemini", waiting: [{ jobId: "free", position: 0 }], started: ["pro"] });
    await tick();
    t.release("pro");
    expect(changes.at(-1)).toEqual({ provider: "gemini", waiting: [], started: ["free"] });
    expect(queue.position("free")).toBeNull();
  });

  it("keeps working when a listener throws, and stops calling an unsubscribed one", async () => {
    const queue = new ProviderQueue({ defaultLimit: 1 });
    const seen: number[] = [];
    queue.onChange(() => {
      throw new Error("broken listener");
    });
    const off = queue.onChange((c) => seen.push(c.waiting.length));
    const t = tracker(queue);
    await t.acquire("a", 0);
    void t.acquire("b", 0);
    t.release("a");
    await tick();
    expect(t.order).toEqual(["a", "b"]);
    expect(seen).toEqual([1, 0]);
    off();
    void t.acquire("c", 0);
    expect(seen).toEqual([1, 0]);
  });

  it("takes an aborted job out of the line and rejects with the signal's reason", async () => {
    const queue = new ProviderQueue({ defaultLimit: 1 });
    const t = tracker(queue);
    await t.acquire("a", 0);
    const controller = new AbortController();
    const waiting = t.acquire("b", 0, controller.signal);
    void t.acquire("c", 0);
    expect(queue.position("c")).toBe(1);
    const reason = new Error("job cancelled");
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(queue.position("c")).toBe(0);
    t.release("a");
    await tick();
    expect(t.order).toEqual(["a", "c"]);
    expect(queue.stats().gemini).toMatchObject({ abandoned: 1, running: 1, waiting: 0 });
    // The id is free again after the abort.
    void t.acquire("b", 0);
    expect(queue.position("b")).toBe(0);
  });

  it("rejects at once when the signal is already aborted, and ignores an abort after the grant", async () => {
    const queue = new ProviderQueue({ defaultLimit: 1 });
    const controller = new AbortController();
    controller.abort(new Error("too late"));
    await expect(queue.acquire("gemini", { id: "x", priority: 0 }, controller.signal)).rejects.toThrow("too late");
    expect(queue.stats().gemini).toBeUndefined();

    const later = new AbortController();
    const slot = await queue.acquire("gemini", { id: "y", priority: 0 }, later.signal);
    later.abort(new Error("after grant"));
    expect(queue.stats().gemini).toMatchObject({ running: 1 });
    slot.release();
    expect(queue.stats().gemini).toMatchObject({ running: 0 });
  });

  it("a granted-then-aborted waiter keeps its slot (the grant wins the race)", async () => {
    const queue = new ProviderQueue({ defaultLimit: 1 });
    const first = await queue.acquire("gemini", { id: "a", priority: 0 });
    const controller = new AbortController();
    const second = queue.acquire("gemini", { id: "b", priority: 0 }, controller.signal);
    first.release(); // grants b synchronously
    controller.abort(new Error("late abort"));
    const slot = await second;
    expect(slot.jobId).toBe("b");
    expect(queue.stats().gemini).toMatchObject({ running: 1, abandoned: 0 });
  });

  it("refuses a job id that already waits or runs, and bad limits", async () => {
    const queue = new ProviderQueue({ defaultLimit: 1 });
    await queue.acquire("gemini", { id: "a", priority: 0 });
    await expect(queue.acquire("stability", { id: "a", priority: 0 })).rejects.toThrow(/already/);
    expect(() => new ProviderQueue({ defaultLimit: 0 })).toThrow(RangeError);
    expect(() => new ProviderQueue({ limits: { gemini: 1.5 }, defaultLimit: 1 })).toThrow(RangeError);
  });

  it("returns null for unknown jobs", () => {
    expect(new ProviderQueue({ defaultLimit: 1 }).position("nobody")).toBeNull();
  });
});
