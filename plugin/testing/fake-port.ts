// The sandbox code under test gets what it gets in Figma: the plugin's own adapter (real-figma.ts) over a
// `figma` global, here the fake that keeps Figma's rules (fake-figma/). Tests read the fake's records.
import { pluginToUISchema, type PlacedImage, type PluginToUI, type UIToPluginInput } from "../../core/messages.ts";
import { createDispatcher } from "../dispatch.ts";
import type { FigmaPort } from "../figma-port.ts";
import { createHandlers } from "../handlers/index.ts";
import { pngSize } from "../png.ts";
import { realFigmaPort } from "../real-figma.ts";
import { createFakeFigma, type FakeFigma, type FakeFigmaOptions } from "./fake-figma/index.ts";

export const portOf = (fake: FakeFigma): FigmaPort => realFigmaPort(fake.figma as unknown as PluginAPI);

export function fakePort(options?: FakeFigmaOptions): { fake: FakeFigma; port: FigmaPort } {
  const fake = createFakeFigma(options);
  return { fake, port: portOf(fake) };
}

/**
 * The sandbox wired as main.ts wires it (dispatcher and handlers on figma.ui.onmessage); the returned
 * function sends a message from the panel, as a structured copy, and waits for its handler.
 */
export function startPlugin(fake: FakeFigma): (message: UIToPluginInput | unknown) => Promise<void> {
  const port = portOf(fake);
  const dispatch = createDispatcher(port, createHandlers(port));
  fake.figma.ui.onmessage = (message: unknown) => dispatch(message);
  return async (message) => {
    await fake.deliver(message);
  };
}

/** What the plugin posted, each checked against the panel's schema (as the panel parses it). */
export const answers = (fake: FakeFigma): PluginToUI[] => fake.posted.map((m) => pluginToUISchema.parse(m));

/** The plugin data on a node, as one object (Figma drops a key set to ""). */
export function pluginData(node: Pick<BaseNode, "getPluginDataKeys" | "getPluginData">): Record<string, string> {
  return Object.fromEntries(node.getPluginDataKeys().map((key) => [key, node.getPluginData(key)]));
}

/** Image `index` of `total` of a placement, as the panel sends it; its size is read from the PNG unless given. */
export function placeImageMessage(requestId: string, index: number, total: number, bytes: Uint8Array, image: Partial<PlacedImage> = {}): UIToPluginInput {
  const size = image.width && image.height ? { width: image.width, height: image.height } : pngSize(bytes);
  return { type: "place-image", requestId, index, total, image: { bytes: bytes as Uint8Array<ArrayBuffer>, assetId: `asset-${index}`, ...image, ...size } };
}
