// What every handler works with: the port, the placements still arriving, and the selection feed (re-sent
// after a placement, since replacing a fill changes the image's size without Figma seeing a new selection).
import type { UIToPlugin } from "../../core/messages.ts";
import type { FigmaPort } from "../figma-port.ts";
import type { PendingPlacements } from "../pending-placements.ts";

export interface HandlerContext {
  port: FigmaPort;
  pending: PendingPlacements;
  refreshSelection(): Promise<void>;
}

export type Handler<K extends UIToPlugin["type"]> = (context: HandlerContext, message: Extract<UIToPlugin, { type: K }>) => void | Promise<void>;

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
