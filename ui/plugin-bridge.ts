// The UI side of the plugin channel, in Figma's envelope: UI → plugin is
// `parent.postMessage({ pluginMessage }, "*")`, plugin → UI arrives as `event.data.pluginMessage`.
// Both directions are parsed with core's schemas.
import { pluginToUISchema, uiToPluginSchema, type PluginToUI, type UIToPluginInput } from "../core/messages.ts";
import { ApiError } from "./api-error.ts";
import { randomId } from "./uuid.ts";

export type PlaceImagesInput = Omit<Extract<UIToPluginInput, { type: "place-images" }>, "type" | "requestId">;

/** Placing is fast; this only guards against a plugin that went away mid-job. */
export const PLACE_TIMEOUT_MS = 60_000;

export interface PluginBridge {
  post(message: UIToPluginInput): void;
  /** Calls `listener` with every valid plugin message; returns the unsubscribe function. */
  subscribe(listener: (message: PluginToUI) => void): () => void;
  /** Sends `place-images` and resolves with the new node ids once the plugin answers `placed`. */
  placeImages(input: PlaceImagesInput): Promise<string[]>;
}

export interface BridgeWindow {
  parent: { postMessage(message: unknown, targetOrigin: string): void };
  addEventListener(type: "message", listener: (event: MessageEvent) => void): void;
  removeEventListener(type: "message", listener: (event: MessageEvent) => void): void;
}

export function createPluginBridge(win: BridgeWindow = window): PluginBridge {
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
    placeImages(input) {
      const requestId = randomId();
      return new Promise<string[]>((resolve, reject) => {
        const done = () => {
          clearTimeout(timer);
          unsubscribe();
        };
        const timer = setTimeout(() => {
          done();
          reject(new ApiError("placement_failed", "Figma did not confirm the placement in time"));
        }, PLACE_TIMEOUT_MS);
        const unsubscribe = bridge.subscribe((message) => {
          if (message.type === "placed" && message.requestId === requestId) {
            done();
            resolve(message.nodeIds);
          } else if (message.type === "place-failed" && message.requestId === requestId) {
            done();
            reject(new ApiError("placement_failed", message.message));
          }
        });
        try {
          bridge.post({ type: "place-images", requestId, ...input });
        } catch (error) {
          done();
          reject(new ApiError("placement_failed", error instanceof Error ? error.message : String(error)));
        }
      });
    },
  };
  return bridge;
}
