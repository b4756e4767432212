// Building canvases for tests on the fake `figma`: frames, shapes and images where a designer
// would have put them, and images as the place-image handler leaves them (in Figma, only a hash kept).
import type { FigmaPort } from "../figma-port.ts";
import type { PlaceRequest, ReceivedImage } from "../placement.ts";
import { solidPng, type FakeFigma, type FakeFrame, type FakeParentNode, type FakeRectangle, type FakeSceneNode, type RGBA } from "./fake-figma/index.ts";

export type Size = { width: number; height: number };

// Encoding a big PNG takes a while: each size and colour is made once.
const pngs = new Map<string, Uint8Array>();
export function png(size: Size, color: RGBA = [120, 90, 60, 255]): Uint8Array {
  const key = `${size.width}x${size.height}:${color.join()}`;
  if (!pngs.has(key)) pngs.set(key, solidPng(size.width, size.height, color));
  return pngs.get(key)!;
}

/** Images already handed to Figma, a colour each, named asset-0, asset-1... */
export const receive = (port: FigmaPort, sizes: Size[]): ReceivedImage[] =>
  sizes.map((size, i) => ({ hash: port.createImage(png(size, [10 * i, 90, 60, 255])).hash, ...size, assetId: `asset-${i}` }));

export function request(port: FigmaPort, sizes: Size[], prompt = "a red fox"): PlaceRequest {
  return { name: prompt, images: receive(port, sizes), provenance: { jobId: "job-1", operation: "create", prompt, spec: JSON.stringify({ operation: "create", prompt }) } };
}

export const box = (n: { x: number; y: number; width: number; height: number }) => ({ x: n.x, y: n.y, width: n.width, height: n.height });
/** Ids, not nodes, in assertions: a failing comparison of fake nodes would print the whole document. */
export const ids = (nodes: readonly { id: string }[]) => nodes.map((n) => n.id);

function put<T extends FakeSceneNode>(node: T, at: Rect, parent?: FakeParentNode): T {
  if (parent && "appendChild" in parent) parent.appendChild(node);
  node.x = at.x;
  node.y = at.y;
  return node;
}

/** A frame at `at` (in its parent's coordinates), clipping as new frames do unless told otherwise. */
export function frame(fake: FakeFigma, name: string, at: Rect, parent?: FakeParentNode, clips = true): FakeFrame {
  const node = fake.figma.createFrame();
  node.name = name;
  node.resize(at.width, at.height);
  node.clipsContent = clips;
  return put(node, at, parent);
}

export function rect(fake: FakeFigma, at: Rect, parent?: FakeParentNode): FakeRectangle {
  const node = fake.figma.createRectangle();
  node.resize(at.width, at.height);
  return put(node, at, parent);
}

/** An image on the canvas as a designer drops it in, moved into `parent` at `at`. */
export async function photo(fake: FakeFigma, at: Rect, parent?: FakeParentNode, color?: RGBA): Promise<FakeRectangle> {
  return put(await fake.placeImage(png(at, color), { name: "Photo" }), at, parent);
}

export const select = (fake: FakeFigma, nodes: readonly FakeSceneNode[]) => {
  fake.figma.currentPage.selection = nodes;
};
export const placed = (fake: FakeFigma, id: string) => fake.node(id) as FakeRectangle;
export const placedFrame = (fake: FakeFigma, id: string) => fake.node(id) as FakeFrame;

/** Whether every frame around the node that clips its content shows the whole node. */
export function shownWhole(node: FakeSceneNode): boolean {
  const b = node.absoluteBoundingBox!;
  for (let at = node.parent; at && at.type !== "PAGE" && at.type !== "DOCUMENT"; at = at.parent) {
    if (!("clipsContent" in at) || !at.clipsContent) continue;
    const c = at.absoluteBoundingBox!;
    if (b.x < c.x || b.y < c.y || b.x + b.width > c.x + c.width || b.y + b.height > c.y + c.height) return false;
  }
  return true;
}
