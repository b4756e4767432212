// The document a harness page starts on: the query's pages, the fixtures on the first one made as a
// designer would have made them (an image dropped in and resized, a frame, a shape), the named ones
// selected, the settings already saved.
import { createFakeFigma, photoPng, type FakeEllipse, type FakeFigma, type FakeFrame, type FakeRectangle, type FakeSceneNode } from "../../../plugin/testing/fake-figma/index.ts";
import type { CanvasFixture, HarnessQuery } from "./contract.ts";

/** Settings as the plugin keeps them in clientStorage (plugin/settings.ts, SETTINGS_KEY). */
const SETTINGS_KEY = "settings";

export interface Scene {
  fake: FakeFigma;
  /** The fixtures' nodes, in the query's order. */
  given: FakeSceneNode[];
}

async function make(fake: FakeFigma, fixture: CanvasFixture): Promise<FakeRectangle | FakeEllipse | FakeFrame> {
  const { figma } = fake;
  const type = fixture.type ?? (fixture.image ? "RECTANGLE" : "FRAME");
  let node: FakeRectangle | FakeEllipse | FakeFrame;
  if (fixture.image) {
    if (type !== "RECTANGLE") throw new Error(`fixture ${fixture.name}: an image fixture is a RECTANGLE, not ${type}`);
    node = await fake.placeImage(photoPng(fixture.image.width, fixture.image.height));
  } else if (type === "RECTANGLE") node = figma.createRectangle();
  else if (type === "ELLIPSE") node = figma.createEllipse();
  else if (type === "FRAME") node = figma.createFrame();
  else throw new Error(`fixture ${fixture.name}: type ${type} is not one the harness makes (RECTANGLE, ELLIPSE, FRAME)`);
  node.name = fixture.name;
  node.resize(fixture.width, fixture.height);
  node.x = fixture.x;
  node.y = fixture.y;
  // Without a colour, a new node keeps Figma's default fill (white frames, grey shapes).
  if (fixture.color) node.fills = [{ type: "SOLID", color: fixture.color }];
  return node;
}

export async function buildScene(query: HarnessQuery): Promise<Scene> {
  const fake = createFakeFigma(query.pages ? { pageNames: query.pages } : {});
  const given: FakeSceneNode[] = [];
  for (const fixture of query.selection) given.push(await make(fake, fixture));
  const selected = query.selected;
  fake.currentPage.selection = given.filter((n) => !selected || selected.includes(n.name));
  const storage: Record<string, unknown> = { ...query.storage };
  if (query.proxy && query.token) storage[SETTINGS_KEY] = { proxyUrl: query.proxy, token: query.token };
  for (const [key, value] of Object.entries(storage)) await fake.figma.clientStorage.setAsync(key, value);
  // The plugin starts on a document that exists: what building it did is not the plugin's.
  await fake.settle();
  fake.clearRecords();
  return { fake, given };
}
