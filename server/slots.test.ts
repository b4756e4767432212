import { describe, expect, it } from "vitest";
import { Slots } from "./slots.ts";

const tick = () => new Promise((r) => setTimeout(r, 5));

describe("Slots", () => {
  it("runs at most `slots` pieces of work at once, the rest in the order they came", async () => {
    const slots = new Slots(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const work = (i: number) => async () => {
      running++;
      most = Math.max(most, running);
      order.push(i);
      await tick();
      running--;
      return i;
    };
    const results = await Promise.all(Array.from({ length: 7 }, (_, i) => slots.run(work(i))));
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(most).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(slots.load).toEqual({ running: 0, waiting: 0 });
  });

  it("frees the slot when work fails", async () => {
    const slots = new Slots(1);
    await expect(slots.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await slots.run(async () => "next")).toBe("next");
  });

  it("gives up waiting when aborted, without taking a slot", async () => {
    const slots = new Slots(1);
    let release!: () => void;
    const holder = slots.run(() => new Promise<void>((r) => (release = r)));
    const controller = new AbortController();
    const waiting = slots.run(async () => "never", controller.signal);
    expect(slots.load).toEqual({ running: 1, waiting: 1 });
    controller.abort(new Error("client gone"));
    await expect(waiting).rejects.toThrow("client gone");
    expect(slots.load).toEqual({ running: 1, waiting: 0 });
    release();
    await holder;
    expect(slots.load).toEqual({ running: 0, waiting: 0 });
  });
});
