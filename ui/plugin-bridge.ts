// The UI side of the plugin channel, in Figma's envelope: UI → plugin is
// `parent.postMessage({ pluginMessage }, "*")`, plugin → UI arrives as `event.data.pluginMessage`.
// Both directions are parsed with core's schemas.
import { pluginToUISchema, uiToPluginSchema, type PluginToUI, type UIToPluginInput } from "../core/messages.ts";
import { ApiError, type ClientErrorCode } from "./api-error.ts";
import { randomId } from "./uuid.ts";

type Ask<T extends UIToPluginInput["type"]> = Omit<Extract<UIToPluginInput, { type: T }>, "type" | "requestId">;
export type PlaceImagesInput = Ask<"place-images">;
export type ExportImageInput = Ask<"export-image">;
export type Exported = Omit<Extract<PluginToUI, { type: "exported" }>, "type" | "requestId">;

/** Placing and exporting are fast; this only guards against a plugin that went away mid-job. */
export const PLACE_TIMEOUT_MS = 60_000;

export interface PluginBridge {
  post(message: UIToPluginInput): void;
  /** Calls `listener` with every valid plugin message; returns the unsubscribe function. */
  subscribe(listener: (message: PluginToUI) => void): () => void;
  /** Sends `place-images` and resolves with the new node ids once the plugin answers `placed`. */
  placeImages(input: PlaceImagesInput): Promise<string[]>;
  /** Sends `export-image` and resolves with the bytes once the plugin answers `exported`. */
  exportImage(input: ExportImageInput): Promise<Exported>;
}

export interface BridgeWindow {
  parent: { postMessage(message: unknown, targetOrigin: string): void };
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  removeEventListener(type: "message", listener: (event: MessageEvent) => void): void;
}

export function createPluginBridge(win: BridgeWindow = window): PluginBridge {
  /**
   * Posts a request with a fresh requestId and settles on the plugin's answer to that id: `answer` maps a
   * message to its value, `failure` to its error text (both undefined for messages that are not the answer).
   */
  function request<T>(
    message: (requestId: string) => UIToPluginInput,
    answer: (m: PluginToUI) => T | undefined,
    failure: (m: PluginToUI) => string | undefined,
    code: ClientErrorCode,
    late: string,
  ): Promise<T> {
    const requestId = randomId();
    return new Promise<T>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        unsubscribe();
      };
      const fail = (text: string) => {
        done();
        reject(new ApiError(code, text));
      };
      const timer = setTimeout(() => fail(late), PLACE_TIMEOUT_MS);
      const unsubscribe = bridge.subscribe((m) => {
        if (!("requestId" in m) || m.requestId !== requestId) return;
        const value = answer(m);
        const error = failure(m);
        if (value !== undefined) {
          done();
          resolve(value);
        } else if (error !== undefined) fail(error);
      });
      try {
        bridge.post(message(requestId));
      } catch (error) {
        fail(error instanceof Error ? error.message : String(error));
      }
    });
  }

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
    placeImages: (input) =>
      request(
        (requestId) => ({ type: "place-images", requestId, ...input }),
        (m) => (m.type === "placed" ? m.nodeIds : undefined),
        (m) => (m.type === "place-failed" ? m.message : undefined),
        "placement_failed",
        "Figma did not confirm the placement in time",
      ),
    exportImage: (input) =>
      request(
        (requestId) => ({ type: "export-image", requestId, ...input }),
        (m) => (m.type === "exported" ? m : undefined),
        (m) => (m.type === "export-failed" ? m.message : undefined),
        "export_failed",
        "Figma did not send the image in time",
      ),
  };
  return bridge;
}
