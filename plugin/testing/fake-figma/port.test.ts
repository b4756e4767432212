// The fake behind the plugin's own adapter: realFigmaPort(fake.figma as unknown as PluginAPI).
import { describe, expect, it } from "vitest";
import { realFigmaPort } from "../../real-figma.ts";
import { createFakeFigma, decodePng, solidPng } from "./index.ts";

describe("realFigmaPort over the fake", () => {
  it("reads the selection, creates and places nodes, exports and posts", async () => {
    const fake = createFakeFigma({ command: "regenerate", viewportCenter: { x: 10, y: 20 } });
    const port = realFigmaPort(fake.figma as unknown as PluginAPI);
    const photo = await fake.placeImage(solidPng(8, 6), { name: "Photo" });
    fake.figma.currentPage.selection = [photo];

    expect(port.command).toBe("regenerate");
    expect(port.mixed).toBe(fake.figma.mixed);
    expect(port.selection().map((n) => n.name)).toEqual(["Photo"]);
    expect(port.viewportCenter()).toEqual({ x: 10, y: 20 });
    expect(await port.getNodeByIdAsync(photo.id)).toBe(photo);
    expect(await port.getNodeByIdAsync(fake.figma.currentPage.id)).toBeNull();

    const image = port.createImage(solidPng(2, 2));
    const rect = port.createRectangle();
    rect.resize(2, 2);
    rect.fills = [{ type: "IMAGE", imageHash: image.hash, scaleMode: "FILL" }];
    port.setSelection([rect]);
    expect(fake.figma.currentPage.selection).toEqual([rect]);

    const png = decodePng(await port.exportPng(photo, { type: "WIDTH", value: 4 }));
    expect([png.width, png.height]).toEqual([4, 3]);

    port.postMessage({ type: "ready" } as never);
    expect(fake.posted).toEqual([{ type: "ready" }]);
    port.scrollAndZoomIntoView([rect]);
    expect(fake.scrolledTo).toEqual([[rect.id]]);
  });
});
