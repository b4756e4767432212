import { describe, expect, it } from "vitest";
import { FAKE_MIXED, FakeFigma, FakeNode } from "./testing/fake-figma.ts";
import { summarizeSelection } from "./selection.ts";

describe("summarizeSelection", () => {
  it("reports id, name, type, size and whether a visible image fill is present", () => {
    const figma = new FakeFigma();
    const photo = new FakeNode({ name: "Photo", type: "RECTANGLE", width: 640, height: 480, fills: [{ type: "IMAGE", imageHash: "h", scaleMode: "FILL" }] });
    const hidden = new FakeNode({ name: "Hidden", type: "RECTANGLE", fills: [{ type: "IMAGE", imageHash: "h", scaleMode: "FILL", visible: false }] });
    const text = new FakeNode({ name: "Title", type: "TEXT", fills: FAKE_MIXED });
    const group = new FakeNode({ name: "Group", type: "GROUP" });
    figma.select([photo, hidden, text, group]);
    expect(summarizeSelection(figma)).toEqual({
      items: [
        { id: photo.id, name: "Photo", type: "RECTANGLE", width: 640, height: 480, hasImage: true },
        { id: hidden.id, name: "Hidden", type: "RECTANGLE", width: 100, height: 100, hasImage: false },
        { id: text.id, name: "Title", type: "TEXT", width: 100, height: 100, hasImage: false },
        { id: group.id, name: "Group", type: "GROUP", width: 100, height: 100, hasImage: false },
      ],
    });
  });

  it("is empty with nothing selected", () => {
    expect(summarizeSelection(new FakeFigma())).toEqual({ items: [] });
  });
});
