import { describe, expect, it } from "vitest";
import { createFakeFigma, pngOf, solidPng, webpOf } from "../testing/fake-figma/index.ts";
import { answers, placeImageMessage, startPlugin } from "../testing/fake-port.ts";

const commit = (requestId: string) => ({ type: "place-commit", requestId, name: "fox", provenance: { jobId: "j", operation: "create" } });

describe("place-image", () => {
  it("hands each image to Figma as it arrives and answers place-progress with how many have", async () => {
    const fake = createFakeFigma();
    const send = startPlugin(fake);
    await send(placeImageMessage("r", 2, 3, solidPng(4, 4, [1, 0, 0, 255])));
    await send(placeImageMessage("r", 0, 3, solidPng(4, 4, [2, 0, 0, 255])));
    await send(placeImageMessage("r", 1, 3, solidPng(4, 4, [3, 0, 0, 255])));
    expect(answers(fake)).toEqual([1, 2, 3].map((received) => ({ type: "place-progress", requestId: "r", received })));
    // Nothing is on the canvas until the commit.
    expect(fake.currentPage.children).toHaveLength(0);
  });

  it("answers place-failed for bytes Figma cannot decode, and drops that placement", async () => {
    const fake = createFakeFigma();
    const send = startPlugin(fake);
    await send(placeImageMessage("r", 0, 2, solidPng(4, 4)));
    await send(placeImageMessage("r", 1, 2, webpOf(), { width: 1, height: 1 }));
    await send(commit("r"));
    expect(answers(fake)).toEqual([
      { type: "place-progress", requestId: "r", received: 1 },
      { type: "place-failed", requestId: "r", message: "in createImage: Image type is unsupported" },
      { type: "place-failed", requestId: "r", message: "None of the images reached Figma: try again" },
    ]);
    expect(fake.currentPage.children).toHaveLength(0);
  });

  it("answers place-failed for an image over Figma's 4096 px, leaving other placements arriving", async () => {
    const fake = createFakeFigma();
    const send = startPlugin(fake);
    await send(placeImageMessage("other", 0, 1, solidPng(4, 4)));
    // The panel was told 4096 px; the file itself is wider.
    await send(placeImageMessage("r", 0, 1, pngOf(5000, 1, () => [0, 0, 0, 255]), { width: 4096, height: 1 }));
    await send(commit("other"));
    expect(answers(fake).map((m) => m.type)).toEqual(["place-progress", "place-failed", "placed", "selection"]);
    expect(answers(fake)[1]).toEqual({ type: "place-failed", requestId: "r", message: "in createImage: Image is too large" });
  });

  it("answers place-failed for an image past the placement's total", async () => {
    const fake = createFakeFigma();
    await startPlugin(fake)(placeImageMessage("r", 3, 3, solidPng(4, 4)));
    expect(answers(fake)).toEqual([{ type: "place-failed", requestId: "r", message: "Image 4 of 3 does not exist" }]);
  });
});
