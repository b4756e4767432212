import { describe, expect, it } from "vitest";
import { MAX_PENDING_PLACEMENTS, PendingPlacements } from "./pending-placements.ts";

const image = (n: number) => ({ hash: `h${n}`, width: 10, height: 10, assetId: `a${n}` });

describe("images of placements still arriving", () => {
  it("collects a request's images in order, whatever order they come in", () => {
    const pending = new PendingPlacements();
    expect(pending.add("r", 1, 3, image(1))).toBe(1);
    expect(pending.add("r", 0, 3, image(0))).toBe(2);
    expect(pending.add("r", 2, 3, image(2))).toBe(3);
    expect(pending.take("r").map((i) => i.hash)).toEqual(["h0", "h1", "h2"]);
    expect(pending.size).toBe(0);
  });

  it("refuses to place a request with images missing, and forgets it", () => {
    const pending = new PendingPlacements();
    pending.add("r", 0, 2, image(0));
    expect(() => pending.take("r")).toThrow("Only 1 of 2 images reached Figma: try again");
    expect(() => pending.take("r")).toThrow("None of the images reached Figma: try again");
  });

  it("refuses an index outside the total and a total that changes", () => {
    const pending = new PendingPlacements();
    expect(() => pending.add("r", 2, 2, image(2))).toThrow("Image 3 of 2 does not exist");
    pending.add("r", 0, 2, image(0));
    expect(() => pending.add("r", 1, 3, image(1))).toThrow("The placement said 2 images, then 3");
  });

  it(`keeps at most ${MAX_PENDING_PLACEMENTS} unfinished placements, pushing out the oldest`, () => {
    const pending = new PendingPlacements();
    for (let n = 0; n <= MAX_PENDING_PLACEMENTS; n++) pending.add(`r${n}`, 0, 2, image(n));
    expect(pending.size).toBe(MAX_PENDING_PLACEMENTS);
    expect(() => pending.take("r0")).toThrow("None of the images");
    expect(() => pending.take(`r${MAX_PENDING_PLACEMENTS}`)).toThrow("Only 1 of 2");
  });
});
