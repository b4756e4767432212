// Reparenting under Figma's rules, group coordinates, figma.group, components and instances.
import { describe, expect, it } from "vitest";
import { createFakeFigma } from "./index.ts";

describe("appendChild and insertChild", () => {
  it("moves a node out of its old parent and keeps its relativeTransform", () => {
    const { figma } = createFakeFigma();
    const a = figma.createFrame();
    const b = figma.createFrame();
    b.x = 500;
    const rect = figma.createRectangle();
    rect.x = 10;
    a.appendChild(rect);
    b.appendChild(rect);
    expect(a.children).toEqual([]);
    expect(b.children).toEqual([rect]);
    expect(rect.parent).toBe(b);
    expect(rect.x).toBe(10);
    expect(rect.absoluteTransform[0][2]).toBe(510);
  });

  it("inserts at an index and refuses one past the end", () => {
    const { figma } = createFakeFigma();
    const frame = figma.createFrame();
    const [a, b, c] = [figma.createRectangle(), figma.createRectangle(), figma.createRectangle()];
    frame.appendChild(a);
    frame.appendChild(b);
    frame.insertChild(1, c);
    expect(frame.children).toEqual([a, c, b]);
    expect(() => frame.insertChild(4, figma.createEllipse())).toThrow("in insertChild: Cannot insert node at index greater than the number of existing siblings");
  });

  it("refuses to put a node inside itself or its descendant", () => {
    const { figma } = createFakeFigma();
    const outer = figma.createFrame();
    const inner = figma.createFrame();
    outer.appendChild(inner);
    expect(() => outer.appendChild(outer)).toThrow("in appendChild: Cannot move node. Doing so would create a parenting cycle");
    expect(() => inner.appendChild(outer)).toThrow("Cannot move node. Doing so would create a parenting cycle");
  });

  it("refuses to append into an instance or inside one, and to move an instance's layers", () => {
    const { figma } = createFakeFigma();
    const component = figma.createComponent();
    const inner = figma.createFrame();
    component.appendChild(inner);
    component.appendChild(figma.createRectangle());
    const instance = component.createInstance();
    expect(instance.parent).toBe(figma.currentPage);
    expect(instance.children.map((c) => c.id)).toEqual(component.children.map((c) => `I${instance.id};${c.id}`));
    expect(() => instance.appendChild(figma.createRectangle())).toThrow("Cannot move node. New parent is an instance or is inside of an instance");
    const instanceFrame = instance.children[0] as typeof inner;
    expect(() => instanceFrame.appendChild(figma.createRectangle())).toThrow("Cannot move node. New parent is an instance or is inside of an instance");
    expect(() => figma.currentPage.appendChild(instance.children[1]!)).toThrow("Cannot move node. Node is inside of an instance");
    // developers.figma.com/docs/plugins/api/api-errors: an instance's layers keep their position.
    expect(() => (instance.children[1]!.x = 5)).toThrow("in set_x: This property cannot be overriden on an instance");
    instance.x = 5;
    expect(instance.x).toBe(5);
  });

  it("refuses a component inside a component, and an instance inside its own component", () => {
    const { figma } = createFakeFigma();
    const a = figma.createComponent();
    const b = figma.createComponent();
    expect(() => a.appendChild(b)).toThrow("Cannot move node. Reparenting would create a component inside a component");
    const frame = figma.createFrame();
    a.appendChild(frame);
    expect(() => frame.appendChild(a.createInstance())).toThrow("Cannot move node. Reparenting would create a component cycle");
  });

  it("refuses pages under nodes other than the document", () => {
    const fake = createFakeFigma({ pageNames: ["A", "B"] });
    expect(() => fake.figma.createFrame().appendChild(fake.pages[1] as never)).toThrow(
      "Cannot move node. Nodes other than the root node cannot have children of type PAGE",
    );
  });
});

describe("groups", () => {
  it("keep their children's transforms in the group's parent's space (plugin-api.d.ts, relativeTransform)", () => {
    const { figma } = createFakeFigma();
    const frame = figma.createFrame();
    frame.x = 1000;
    frame.resize(500, 500);
    const a = figma.createRectangle();
    const b = figma.createRectangle();
    for (const [node, x, y] of [
      [a, 50, 60],
      [b, 200, 100],
    ] as const) {
      frame.appendChild(node);
      node.x = x;
      node.y = y;
      node.resize(10, 20);
    }
    const group = figma.group([a, b], frame);
    expect(group.parent).toBe(frame);
    // The group's position and size are its children's box, in the frame's space.
    expect([group.x, group.y, group.width, group.height]).toEqual([50, 60, 160, 60]);
    // A child's x is still relative to the frame, not to the group.
    expect([a.x, a.y]).toEqual([50, 60]);
    expect(a.absoluteTransform[0][2]).toBe(1050);
    // Moving the group moves its children.
    group.x = 70;
    expect([a.x, b.x]).toEqual([70, 220]);
    expect(group.absoluteBoundingBox).toEqual({ x: 1070, y: 60, width: 160, height: 60 });
  });

  it("keeps grouped nodes where they were on the page", () => {
    const { figma } = createFakeFigma();
    const frame = figma.createFrame();
    frame.x = 300;
    const rect = figma.createRectangle();
    frame.appendChild(rect);
    rect.x = 5;
    const group = figma.group([rect], figma.currentPage);
    expect(group.parent).toBe(figma.currentPage);
    expect(rect.x).toBe(305);
    expect(rect.absoluteTransform[0][2]).toBe(305);
  });

  it("refuses an empty list and nodes of another page (developers.figma.com/docs/plugins/api/properties/figma-group)", async () => {
    const fake = createFakeFigma({ pageNames: ["A", "B"] });
    const rect = fake.figma.createRectangle();
    expect(() => fake.figma.group([], fake.figma.currentPage)).toThrow("First argument must be an array of at least one node");
    await fake.pages[1]!.loadAsync();
    expect(() => fake.figma.group([rect], fake.pages[1]!)).toThrow("Grouped nodes must be in the same page as the parent");
  });

  it("delete themselves when their last child leaves (plugin-api.d.ts, BaseNodeMixin.removed)", () => {
    const { figma } = createFakeFigma();
    const a = figma.createRectangle();
    const b = figma.createRectangle();
    const group = figma.group([a, b], figma.currentPage);
    a.remove();
    expect(group.removed).toBe(false);
    figma.currentPage.appendChild(b);
    expect(group.removed).toBe(true);
    expect(figma.currentPage.children).toEqual([b]);
  });
});

describe("sections", () => {
  it("give their children their own coordinate space", () => {
    const { figma } = createFakeFigma();
    const section = figma.createSection();
    section.x = 40;
    const rect = figma.createRectangle();
    section.appendChild(rect);
    rect.x = 2;
    expect(rect.absoluteTransform[0][2]).toBe(42);
  });
});
