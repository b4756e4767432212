import { describe, expect, it } from "vitest";
import type { PortParent } from "./figma-port.ts";
import { GAP, pageOf, refusal, targetBeside } from "./placement-target.ts";

// Containers as the port sees them: plain data here, since the choice is pure.
const page: PortParent = { id: "0:1", type: "PAGE", name: "Page 1", parent: { id: "0:0", type: "DOCUMENT", name: "Document", parent: null } };
const at = (x: number, y: number): Transform => [
  [1, 0, x],
  [0, 1, y],
];
function frame(name: string, parent: PortParent, box: Rect, more: Partial<PortParent> = {}): PortParent {
  return { id: `${name}-id`, type: "FRAME", name, parent, absoluteTransform: at(box.x, box.y), absoluteBoundingBox: box, clipsContent: false, layoutMode: "NONE", ...more };
}
const image = { x: 100, y: 100, width: 200, height: 100 };
const size = { width: 200, height: 100 };

describe("where results go beside their source", () => {
  it("goes in the source's own container, at the source's right, in that container's coordinates", () => {
    const board = frame("Board", page, { x: 1000, y: 500, width: 2000, height: 2000 }, { clipsContent: true });
    const target = targetBeside(board, { ...image, x: 1100, y: 600 }, size);
    expect(target).toEqual({ parent: board, x: 100 + 200 + GAP, y: 100 });
  });

  it("climbs out of a clipping frame that would hide them, to the first container that shows them", () => {
    const card = frame("Card", page, { x: 100, y: 100, width: 200, height: 100 }, { clipsContent: true });
    expect(refusal(card, { x: 340, y: 100, ...size })).toBe("“Card” clips its content and would hide the results");
    expect(targetBeside(card, image, size)).toEqual({ parent: page, x: 340, y: 100 });
    // A group inside the clipping frame is no better: the frame around it still clips.
    const group: PortParent = { id: "g", type: "GROUP", name: "Group", parent: card, absoluteTransform: at(100, 100), absoluteBoundingBox: image };
    expect(targetBeside(group, image, size).parent).toBe(page);
  });

  it("stays in a frame that does not clip, or one big enough to show them", () => {
    const open = frame("Open", page, { x: 0, y: 0, width: 300, height: 300 });
    expect(targetBeside(open, image, size)).toEqual({ parent: open, x: 340, y: 100 });
    const big = frame("Big", page, { x: 0, y: 0, width: 1000, height: 1000 }, { clipsContent: true });
    expect(targetBeside(big, image, size).parent).toBe(big);
  });

  it("never lands inside a component or an instance (it would change every instance, or be refused)", () => {
    const component = frame("Button", page, { x: 0, y: 0, width: 5000, height: 5000 }, { type: "COMPONENT" });
    const inner = frame("Inner", component, { x: 0, y: 0, width: 5000, height: 5000 });
    expect(refusal(inner, { x: 340, y: 100, ...size })).toMatch(/component/);
    expect(targetBeside(inner, image, size).parent).toBe(page);
    const instance = frame("Button instance", page, { x: 0, y: 0, width: 5000, height: 5000 }, { type: "INSTANCE" });
    expect(targetBeside(instance, image, size).parent).toBe(page);
  });

  it("skips auto layout, which would move them and reflow its children", () => {
    const row = frame("Row", page, { x: 0, y: 0, width: 5000, height: 5000 }, { layoutMode: "HORIZONTAL" });
    expect(targetBeside(row, image, size).parent).toBe(page);
  });

  it("writes a group's children in its parent's coordinates (groups have none of their own)", () => {
    const board = frame("Board", page, { x: 1000, y: 500, width: 4000, height: 4000 });
    const group: PortParent = { id: "g", type: "GROUP", name: "Group", parent: board, absoluteTransform: at(1100, 600), absoluteBoundingBox: { x: 1100, y: 600, width: 200, height: 100 } };
    expect(targetBeside(group, { x: 1100, y: 600, width: 200, height: 100 }, size)).toEqual({ parent: group, x: 100 + 200 + GAP, y: 100 });
  });

  it("skips a turned frame, whose x and y would not be beside the source", () => {
    const turned = frame("Turned", page, { x: 0, y: 0, width: 5000, height: 5000 }, { absoluteTransform: [[0, -1, 0], [1, 0, 0]] });
    expect(targetBeside(turned, image, size).parent).toBe(page);
  });

  it("finds a container's page, stopping below the document", () => {
    const section: PortParent = { id: "s", type: "SECTION", name: "Section", parent: page, absoluteTransform: at(0, 0), absoluteBoundingBox: { x: 0, y: 0, width: 10, height: 10 } };
    expect(pageOf(frame("F", section, image))).toBe(page);
    expect(pageOf(page)).toBe(page);
  });
});
