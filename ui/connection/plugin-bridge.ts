// The UI side of the plugin channel, in Figma's envelope: UI → plugin is
// `parent.postMessage({ pluginMessage }, "*")`, plugin → UI arrives as `event.data.pluginMessage`.
// Both directions are parsed with core's schemas.
import { pluginToUISchema, uiToPluginSchema, type PlacedFormat, type PluginToUI, type Provenance, type UIToPluginInput } from "../../core/messages.ts";
import { ApiError, type ClientErrorCode } from "./api-error.ts";
import { randomId } from "./uuid.ts";

type Ask<T extends UIToPluginInput["type"]> = Omit<Extract<UIToPluginInput, { type: T }>, "type" | "requestId">;
export type ExportImageInput = Ask<"export-image">;
export type Exported = Omit<Extract<PluginToUI, { type: "exported" }>, "type" | "requestId">;

/** An image on its way to the canvas: its size and ids now, its bytes fetched when its turn comes. */
export interface OutgoingImage {
  width: number;
  height: number;
  assetId: string;
  format?: PlacedFormat;
  /** A batch's result: beside (or into) its own item's source, with its own layer name and job. */
  source?: { nodeId: string; replace?: boolean };
  name?: string;
  jobId?: string;
  bytes(): Promise<Uint8Array<ArrayBuffer>>;
}

export interface PlaceInput {
  /** Layer name of the placed images. */
  name: string;
  provenance: Provenance;
  images: readonly OutgoingImage[];
  /** Edit and upscale: the node the image came from, and whether the result replaces its fill. */
  source?: { nodeId: string; replace?: boolean };
}

export interface PlaceOutcome {
  nodeIds: string[];
  /** Set when the results went to another page than the one the designer is on (their source's). */
  page?: { id: string; name: string };
}

/** How long the plugin may take to take one image, or to export one. */
export const STEP_TIMEOUT_MS = 30_000;
/** How long placing may take once every image is in Figma: a base plus a share per image. */
export const PLACE_BASE_MS = 10_000;
export const PLACE_PER_IMAGE_MS = 2_000;
export const placeTimeoutMs = (images: number) => PLACE_BASE_MS + PLACE_PER_IMAGE_MS * images;

export interface PluginBridge {
  post(message: UIToPluginInput): void;
  /** Calls `listener` with every valid plugin message; returns the unsubscribe function. */
  subscribe(listener: (message: PluginToUI) => void): () => void;
  /**
   * Hands the images to the plugin one message each (a message is copied whole into the sandbox's memory,
   * and many images at once exhaust it), fetching each just before it goes, then asks for them to be
   * placed; `onProgress` hears how many Figma has taken.
   */
  placeImages(input: PlaceInput, onProgress?: (taken: number, total: number) => void): Promise<PlaceOutcome>;
  /** Sends `export-image` and resolves with the bytes once the plugin answers `exported`. */
  exportImage(input: ExportImageInput): Promise<Exported>;
}

export interface BridgeWindow {
  parent: { postMessage(message: unknown, targetOrigin: string): void };
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  removeEventListener(type: "message", listener: (event: MessageEvent) => void): void;
}

interface Exchange<T> {
  message: UIToPluginInput & { requestId: string };
  /** The answer's value, undefined for messages that are not the answer. */
  answer(m: PluginToUI): T | undefined;
  /** The failure's text, undefined for messages that are not a failure. */
  failure(m: PluginToUI): string | undefined;
  code: ClientErrorCode;
  late: string;
  timeoutMs: number;
}

export function createPluginBridge(win: BridgeWindow = window): PluginBridge {
  /** Posts a request and settles on the plugin's answer to its requestId, or on its timeout. */
  function request<T>(exchange: Exchange<T>): Promise<T> {
    const { requestId } = exchange.message;
    return new Promise<T>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        unsubscribe();
      };
      const fail = (text: string) => {
        done();
        reject(new ApiError(exchange.code, text));
      };
      const timer = setTimeout(() => fail(exchange.late), exchange.timeoutMs);
      const unsubscribe = bridge.subscribe((m) => {
        if (!("requestId" in m) || m.requestId !== requestId) return;
        const value = exchange.answer(m);
        const error = exchange.failure(m);
        if (value !== undefined) {
          done();
          resolve(value);
        } else if (error !== undefined) fail(error);
      });
      try {
        bridge.post(exchange.message);
      } catch (error) {
        fail(error instanceof Error ? error.message : String(error));
      }
    });
  }

  const placeFailure = (m: PluginToUI) => (m.type === "place-failed" ? m.message : undefined);

  const bridge: PluginBridge = {
    post(message) {
      // Parsing our own message catches a bad one here, with a stack, rather than as a drop in the sandbox.
      const parsed = uiToPluginSchema.parse(message);
      // The plugin's origin is Figma's and not ours to name; the envelope is the only addressing Figma uses.
      win.parent.postMessage({ pluginMessage: parsed }, "*");
    },
    subscribe(listener) {
      const onMessage = (event: MessageEvent) => {
        const raw: unknown = event.data;
        if (typeof raw !== "object" || raw === null || !("pluginMessage" in raw)) return;
        const parsed = pluginToUISchema.safeParse(raw.pluginMessage);
        if (parsed.success) listener(parsed.data);
        else console.warn("Image Studio: ignored a malformed plugin message", parsed.error.issues);
      };
      win.addEventListener("message", onMessage);
      return () => win.removeEventListener("message", onMessage);
    },
    async placeImages(input, onProgress) {
      const requestId = randomId();
      const total = input.images.length;
      for (let index = 0; index < total; index++) {
        const { bytes, ...image } = input.images[index]!;
        const taken = await request({
          message: { type: "place-image", requestId, index, total, image: { ...image, bytes: await bytes() } },
          answer: (m) => (m.type === "place-progress" ? m.received : undefined),
          failure: placeFailure,
          code: "placement_failed",
          late: `Figma did not take image ${index + 1} of ${total} in time`,
          timeoutMs: STEP_TIMEOUT_MS,
        });
        onProgress?.(taken, total);
      }
      return request({
        message: { type: "place-commit", requestId, name: input.name, provenance: input.provenance, ...(input.source ? { source: input.source } : {}) },
        answer: (m) => (m.type === "placed" ? { nodeIds: m.nodeIds, ...(m.page ? { page: m.page } : {}) } : undefined),
        failure: placeFailure,
        code: "placement_failed",
        late: "Figma did not confirm the placement in time",
        timeoutMs: placeTimeoutMs(total),
      });
    },
    exportImage: (input) =>
      request({
        message: { type: "export-image", requestId: randomId(), ...input },
        answer: (m) => (m.type === "exported" ? m : undefined),
        failure: (m) => (m.type === "export-failed" ? m.message : undefined),
        code: "export_failed",
        late: "Figma did not send the image in time",
        timeoutMs: STEP_TIMEOUT_MS,
      }),
  };
  return bridge;
}
