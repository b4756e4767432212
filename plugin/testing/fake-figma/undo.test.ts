// commitUndo: the log of what each undo step holds.
import { describe, expect, it } from "vitest";
import { createFakeFigma } from "./index.ts";

describe("figma.commitUndo", () => {
  it("groups the nodes created, changed and removed between commits into steps", () => {
    const fake = createFakeFigma();
    const existing = fake.figma.createFrame();
    fake.clearRecords();

    const rect = fake.figma.createRectangle();
    rect.resize(10, 10);
    rect.setPluginData("job", "1");
    existing.name = "Renamed";
    fake.figma.commitUndo();
    const other = fake.figma.createEllipse();
    other.remove();
    fake.figma.commitUndo();
    fake.figma.commitUndo();

    expect(fake.undo.commits).toBe(3);
    expect(fake.undo.steps).toEqual([
      { created: [rect.id], changed: [existing.id], removed: [] },
      { created: [other.id], changed: [], removed: [other.id] },
    ]);
    expect(fake.undo.pending()).toEqual({ created: [], changed: [], removed: [] });
  });
});
