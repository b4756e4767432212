import { describe, expect, it } from "vitest";
import { createFakeFigma, decodePng, solidPng } from "../testing/fake-figma/index.ts";
import { answers, startPlugin } from "../testing/fake-port.ts";

describe("export-image", () => {
  it("answers exported with the image and its mask, as the panel's schema accepts them", async () => {
    const fake = createFakeFigma();
    const photo = await fake.placeImage(solidPng(256, 128));
    const box = fake.figma.createRectangle();
    box.resize(10, 10);
    fake.figma.currentPage.selection = [photo, box];
    await startPlugin(fake)({ type: "export-image", requestId: "e1", imageId: photo.id, mask: true });
    const [answer] = answers(fake);
    expect(answer).toMatchObject({ type: "exported", requestId: "e1", image: { width: 256, height: 128 }, mask: { width: 256, height: 128 } });
    if (answer?.type !== "exported") throw new Error("expected exported");
    expect(decodePng(answer.mask!.bytes).pixel(5, 5)).toEqual([255, 255, 255, 255]);
  });

  it("answers export-failed with the reason the designer can act on", async () => {
    const fake = createFakeFigma();
    const photo = await fake.placeImage(solidPng(8, 8));
    fake.figma.currentPage.selection = [photo];
    const send = startPlugin(fake);
    await send({ type: "export-image", requestId: "e2", imageId: "gone" });
    await send({ type: "export-image", requestId: "e3", imageId: photo.id, mask: true });
    expect(answers(fake)).toEqual([
      { type: "export-failed", requestId: "e2", message: "The selection changed after the price was shown: check it and try again" },
      { type: "export-failed", requestId: "e3", message: "Select the image and one shape drawn over it" },
    ]);
  });
});
