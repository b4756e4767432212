// Node properties: read-only paints, validation with Figma's errors, transforms, bounds, plugin data, clone.
import { describe, expect, it } from "vitest";
import { createFakeFigma, PLUGIN_DATA_LIMIT } from "./index.ts";

const RED: SolidPaint = { type: "SOLID", color: { r: 1, g: 0, b: 0 } };

describe("paints", () => {
  it("reads fills as frozen arrays of frozen paints (developers.figma.com/docs/plugins/editing-properties)", () => {
    const { figma } = createFakeFigma();
    const rect = figma.createRectangle();
    rect.fills = [RED];
    const fills = rect.fills as Paint[];
    expect(() => fills.push(RED)).toThrow("object is not extensible");
    expect(() => {
      (fills[0] as { color: { r: number } }).color.r = 0;
    }).toThrow("Cannot assign to read only property 'r' of object");
    expect(() => (rect.effects as Effect[]).push({ type: "LAYER_BLUR", radius: 1, visible: true } as Effect)).toThrow("object is not extensible");
  });

  it("reads a new copy each time: a paint from one read is not in the next (so find paints by place, not identity)", () => {
    const { figma } = createFakeFigma();
    const rect = figma.createRectangle();
    rect.fills = [RED];
    expect(rect.fills).not.toBe(rect.fills);
    expect(rect.fills[0]).not.toBe(rect.fills[0]);
    expect(rect.fills).toEqual(rect.fills);
    expect(rect.effects).not.toBe(rect.effects);
  });

  it("copies the assigned array, so later edits to it do not reach the node", () => {
    const { figma } = createFakeFigma();
    const rect = figma.createRectangle();
    const paints: Paint[] = [{ type: "SOLID", color: { r: 1, g: 0, b: 0 } }];
    rect.fills = paints;
    paints.push(RED);
    (paints[0] as { color: { r: number } }).color.r = 0.5;
    expect(rect.fills).toEqual([RED]);
  });

  it("validates paints as Figma does", () => {
    const { figma } = createFakeFigma();
    const rect = figma.createRectangle();
    expect(() => (rect.fills = [{ type: "SOLID", color: { r: 255, g: 0, b: 0 } }])).toThrow('in set_fills: Expected "[0].color.r" to have value <= 1');
    expect(() => (rect.fills = [{ type: "IMAGE", imageHash: "nope", scaleMode: "FILL" }])).toThrow("in set_fills: Invalid SHA1 hash");
    expect(() => (rect.fills = [{ type: "NOPE" } as unknown as Paint])).toThrow("in set_fills: Invalid discriminator value");
    expect(() => (rect.fills = figma.mixed)).toThrow("figma.mixed cannot be assigned");
  });
});

describe("properties", () => {
  it("checks types with Figma's error pattern (developers.figma.com/docs/plugins/api/api-errors)", () => {
    const { figma } = createFakeFigma();
    const rect = figma.createRectangle();
    expect(() => (rect.opacity = "test" as unknown as number)).toThrow('in set_opacity: Expected "opacity" to have type number but got string instead');
    expect(() => (rect.opacity = 2)).toThrow("in set_opacity");
  });

  it("refuses sizes under 0.01 (plugin-api.d.ts, LayoutMixin.resize)", () => {
    const { figma } = createFakeFigma();
    const rect = figma.createRectangle();
    expect(() => rect.resize(0, 10)).toThrow('in resize: Expected "width" to have value >= 0.01');
    rect.resize(0.01, 3);
    expect([rect.width, rect.height]).toEqual([0.01, 3]);
  });

  it("keeps x and y as the translation of relativeTransform, and rotation as atan2(-m10, m00)", () => {
    const { figma } = createFakeFigma();
    const rect = figma.createRectangle();
    rect.x = 10;
    rect.y = 20;
    expect(rect.relativeTransform).toEqual([
      [1, 0, 10],
      [0, 1, 20],
    ]);
    rect.rotation = 90;
    expect(rect.relativeTransform).toEqual([
      [0, 1, 10],
      [-1, 0, 20],
    ]);
    expect(rect.rotation).toBe(90);
    rect.relativeTransform = [
      [-1, 0, 5],
      [0, 1, 6],
    ];
    expect([rect.x, rect.y, rect.rotation]).toEqual([5, 6, 180]);
  });

  it("refuses a relativeTransform that scales (plugin-api.d.ts: 'The transform always has unit axes')", () => {
    const { figma } = createFakeFigma();
    expect(() => {
      figma.createRectangle().relativeTransform = [
        [2, 0, 0],
        [0, 1, 0],
      ];
    }).toThrow("relativeTransform must have unit axes");
  });

  it("hands out transform copies, so editing them changes nothing", () => {
    const { figma } = createFakeFigma();
    const rect = figma.createRectangle();
    rect.relativeTransform[0][2] = 99;
    expect(rect.x).toBe(0);
  });

  it("gives the axis-aligned box of a rotated node as absoluteBoundingBox", () => {
    const { figma } = createFakeFigma();
    const rect = figma.createRectangle();
    rect.resize(40, 10);
    rect.rotation = 90;
    rect.x = 100;
    rect.y = 100;
    expect(rect.absoluteBoundingBox).toEqual({ x: 100, y: 60, width: 10, height: 40 });
  });

  it("widens absoluteRenderBounds by a drop shadow's offset, radius and spread; null when hidden", () => {
    const { figma } = createFakeFigma();
    const frame = figma.createFrame();
    frame.effects = [{ type: "DROP_SHADOW", color: { r: 0, g: 0, b: 0, a: 0.5 }, offset: { x: 4, y: 6 }, radius: 8, spread: 2, visible: true, blendMode: "NORMAL" }];
    // The shadow: the box moved by (4, 6) and grown by spread + radius = 10 on every side.
    expect(frame.absoluteRenderBounds).toEqual({ x: -6, y: -4, width: 120, height: 120 });
    expect(frame.absoluteBoundingBox).toEqual({ x: 0, y: 0, width: 100, height: 100 });
    frame.visible = false;
    expect(frame.absoluteRenderBounds).toBeNull();
  });

  it("gives groups and sections only the mixins Figma gives them", () => {
    const { figma } = createFakeFigma();
    const group = figma.group([figma.createRectangle()], figma.currentPage);
    const section = figma.createSection();
    expect("fills" in group).toBe(false);
    expect("clipsContent" in group).toBe(false);
    expect("opacity" in section).toBe(false);
    expect("rotation" in section).toBe(false);
    expect("fills" in section).toBe(true);
  });
});

describe("plugin data and relaunch data", () => {
  it("stores strings per key, removes on '', lists keys", () => {
    const { figma } = createFakeFigma();
    const rect = figma.createRectangle();
    expect(rect.getPluginData("job")).toBe("");
    rect.setPluginData("job", "42");
    rect.setPluginData("prompt", "a cat");
    expect(rect.getPluginDataKeys()).toEqual(["job", "prompt"]);
    rect.setPluginData("job", "");
    expect(rect.getPluginDataKeys()).toEqual(["prompt"]);
  });

  it("refuses an entry over 100 kB (plugin-api.d.ts, PluginDataMixin.setPluginData)", () => {
    const { figma } = createFakeFigma({ pluginId: "p" });
    const rect = figma.createRectangle();
    const key = "k";
    rect.setPluginData(key, "x".repeat(PLUGIN_DATA_LIMIT - 2));
    expect(() => rect.setPluginData(key, "x".repeat(PLUGIN_DATA_LIMIT - 1))).toThrow("Total entry size cannot exceed 100 kB");
    // Counted in UTF-8 bytes: "é" is two.
    expect(() => rect.setPluginData(key, "é".repeat(PLUGIN_DATA_LIMIT / 2))).toThrow("Total entry size cannot exceed 100 kB");
  });

  it("replaces relaunch data whole and refuses descriptions over 1000 characters", () => {
    const { figma } = createFakeFigma();
    const rect = figma.createRectangle();
    rect.setRelaunchData({ regenerate: "Run again", edit: "" });
    rect.setRelaunchData({ regenerate: "Again" });
    expect(rect.getRelaunchData()).toEqual({ regenerate: "Again" });
    expect(() => rect.setRelaunchData({ regenerate: "x".repeat(1001) })).toThrow("exceeds 1000 characters");
  });
});

describe("clone and remove", () => {
  it("clones onto the current page, as the typings document, with a new id and the same data", () => {
    const { figma } = createFakeFigma();
    const frame = figma.createFrame();
    const a = figma.createRectangle();
    const b = figma.createRectangle();
    frame.appendChild(a);
    frame.appendChild(b);
    a.setPluginData("k", "v");
    a.fills = [RED];
    const copy = a.clone();
    expect(frame.children).toEqual([a, b]);
    expect(copy.parent).toBe(figma.currentPage);
    expect(copy.id).not.toBe(a.id);
    expect(copy.getPluginData("k")).toBe("v");
    expect(copy.fills).toEqual([RED]);
  });

  it("clones children deeply", () => {
    const { figma } = createFakeFigma();
    const frame = figma.createFrame();
    frame.appendChild(figma.createEllipse());
    const copy = frame.clone();
    expect(copy.children).toHaveLength(1);
    expect(copy.children[0]!.type).toBe("ELLIPSE");
    expect(copy.children[0]).not.toBe(frame.children[0]);
  });

  it("removes a node with its children; edits to removed nodes throw", () => {
    const { figma } = createFakeFigma();
    const frame = figma.createFrame();
    const child = figma.createRectangle();
    frame.appendChild(child);
    frame.remove();
    expect([frame.removed, child.removed]).toEqual([true, true]);
    expect(frame.parent).toBeNull();
    expect(figma.currentPage.children).toEqual([]);
    expect(() => (child.name = "x")).toThrow('The node with id "' + child.id + '" does not exist');
    expect(() => frame.remove()).toThrow("does not exist");
  });
});
