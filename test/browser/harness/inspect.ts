// The canvas as the tests read it (contract.ts, CanvasState), in plain data: the nodes the plugin made (found
// through the undo log, which notes every node created since the scene was built, removed ones too), the
// given nodes, the selection, and the last mask the plugin sent its panel (decoded by the fake's decodePng).
import { decodePng, type FakeBaseNode, type FakeFigma, type FakeSceneNode } from "../../../plugin/testing/fake-figma/index.ts";
import type { CanvasNode, CanvasState, MaskReading } from "./contract.ts";

type Points = Record<string, readonly [number, number]>;

const sizes = new Map<string, Promise<{ width: number; height: number }>>();

/**
 * The image's size as the browser's decoder sees it (not as its header claims), each image decoded once.
 * createImageBitmap rather than decodePng: a 2048 px result takes decodePng about two seconds.
 */
async function fillImage(fake: FakeFigma, hash: string): Promise<{ bytes: Uint8Array; size: { width: number; height: number } } | null> {
  const image = fake.figma.getImageByHash(hash);
  if (!image) return null;
  const bytes = await image.getBytesAsync();
  let size = sizes.get(hash);
  if (!size) {
    size = createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>])).then((bitmap) => {
      const { width, height } = bitmap;
      bitmap.close();
      return { width, height };
    });
    sizes.set(hash, size);
  }
  return { bytes, size: await size };
}

function pageName(node: FakeBaseNode): string {
  let at: FakeBaseNode | null = node;
  while (at && at.type !== "PAGE") at = at.parent;
  return at?.name ?? "";
}

/** Plain copies of paints: no frozen objects or symbols cross page.evaluate. */
const plain = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

async function read(fake: FakeFigma, node: FakeSceneNode): Promise<CanvasNode> {
  const fills = "fills" in node ? (plain(node.fills as readonly Paint[]) as CanvasNode["fills"]) : [];
  const hash = fills.find((f) => f.type === "IMAGE")?.imageHash;
  const image = hash ? await fillImage(fake, hash) : null;
  const pluginData: Record<string, string> = {};
  for (const key of node.getPluginDataKeys()) pluginData[key] = node.getPluginData(key);
  const relaunch = node.getRelaunchData();
  const children: CanvasNode[] = [];
  if ("children" in node) for (const child of node.children) children.push(await read(fake, child));
  return {
    id: node.id,
    type: node.type,
    name: node.name,
    x: node.x,
    y: node.y,
    width: node.width,
    height: node.height,
    visible: node.visible,
    removed: node.removed,
    parentType: node.parent?.type ?? "",
    page: node.removed ? "" : pageName(node),
    fills,
    pluginData,
    relaunch: Object.keys(relaunch).length ? relaunch : null,
    signature: image ? Array.from(image.bytes.slice(0, 8)) : null,
    decoded: image ? image.size : null,
    children,
  };
}

/** The grey level of the mask at each point. */
function readMask(bytes: Uint8Array, points: Points): MaskReading<string> {
  const mask = decodePng(bytes);
  const reading: MaskReading<string> = { width: mask.width, height: mask.height };
  for (const [name, [x, y]] of Object.entries(points)) reading[name] = mask.pixel(x, y)[0];
  return reading;
}

const lastMask = (posted: readonly unknown[]): Uint8Array | null => {
  for (let i = posted.length - 1; i >= 0; i--) {
    const m = posted[i] as { type?: string; mask?: { bytes?: Uint8Array } };
    if (m.type === "exported" && m.mask?.bytes) return m.mask.bytes;
  }
  return null;
};

export async function inspect(fake: FakeFigma, given: readonly FakeSceneNode[], points: Points): Promise<CanvasState<string>> {
  const createdIds = new Set([...fake.undo.steps.flatMap((s) => s.created), ...fake.undo.pending().created]);
  const created = [...createdIds].map((id) => fake.node(id)).filter((n): n is FakeSceneNode => !!n && n.type !== "PAGE" && n.type !== "DOCUMENT");
  const readAll = async (nodes: readonly FakeSceneNode[]) => {
    const out: CanvasNode[] = [];
    for (const node of nodes) out.push(await read(fake, node));
    return out;
  };
  const mask = lastMask(fake.posted);
  return {
    nodes: await readAll(created.filter((n) => n.type === "RECTANGLE")),
    given: await readAll(given),
    frames: await readAll(created.filter((n) => n.type === "FRAME")),
    undoSteps: fake.undo.steps.length,
    selectedIds: fake.currentPage.selection.map((n) => n.id),
    scrolledTo: fake.scrolledTo.map((ids) => [...ids]),
    currentPage: fake.currentPage.name,
    mask: mask ? readMask(mask, points) : null,
  };
}
