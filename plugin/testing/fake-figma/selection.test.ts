// Page selections: Figma's errors, de-duplication, direct selection only, removed nodes, events.
import { describe, expect, it, vi } from "vitest";
import { createFakeFigma } from "./index.ts";

describe("page.selection", () => {
  it("refuses a node of another page with Figma's error", async () => {
    const fake = createFakeFigma({ pageNames: ["A", "B"] });
    const rect = fake.figma.createRectangle();
    await fake.figma.setCurrentPageAsync(fake.pages[1]!);
    expect(() => {
      fake.figma.currentPage.selection = [rect];
    }).toThrow("in set_selection: The selection of a page can only include nodes in that page");
    fake.pages[0]!.selection = [rect];
    expect(fake.pages[0]!.selection).toEqual([rect]);
  });

  it("refuses pages and the document", () => {
    const { figma } = createFakeFigma();
    expect(() => (figma.currentPage.selection = [figma.currentPage as never])).toThrow("Cannot select the page node");
    expect(() => (figma.currentPage.selection = [figma.root as never])).toThrow("Cannot select the document node");
  });

  it("de-duplicates and keeps only directly selected nodes", () => {
    const { figma } = createFakeFigma();
    const frame = figma.createFrame();
    const child = figma.createRectangle();
    frame.appendChild(child);
    figma.currentPage.selection = [child, frame, frame];
    expect(figma.currentPage.selection).toEqual([frame]);
  });

  it("reads as a new frozen array each time", () => {
    const { figma } = createFakeFigma();
    const rect = figma.createRectangle();
    figma.currentPage.selection = [rect];
    const selection = figma.currentPage.selection;
    expect(selection).not.toBe(figma.currentPage.selection);
    expect(() => (selection as unknown[]).push(rect)).toThrow("object is not extensible");
  });

  it("drops removed nodes and fires selectionchange for them", async () => {
    const fake = createFakeFigma();
    const rect = fake.figma.createRectangle();
    fake.figma.currentPage.selection = [rect];
    await fake.settle();
    const listener = vi.fn();
    fake.figma.on("selectionchange", listener);
    rect.remove();
    expect(fake.figma.currentPage.selection).toEqual([]);
    await fake.settle();
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it("fires selectionchange only for the current page", async () => {
    const fake = createFakeFigma({ pageNames: ["A", "B"] });
    const listener = vi.fn();
    fake.figma.on("selectionchange", listener);
    fake.pages[1]!.selection = [];
    await fake.settle();
    expect(listener).not.toHaveBeenCalled();
    fake.figma.currentPage.selection = [];
    await fake.settle();
    expect(listener).toHaveBeenCalledTimes(1);
  });
});
