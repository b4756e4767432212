// What the panel needs to know about the selection: enough to label it and to tell which nodes hold images.
import type { Selection, SelectionItem } from "../core/messages.ts";
import type { FigmaPort, PortNode } from "./figma-port.ts";

export function hasImageFill(node: PortNode, mixed: FigmaPort["mixed"]): boolean {
  const fills = node.fills;
  if (fills === undefined || fills === mixed) return false;
  return fills.some((paint) => paint.type === "IMAGE" && paint.visible !== false);
}

export function summarizeNode(node: PortNode, mixed: FigmaPort["mixed"]): SelectionItem {
  return {
    id: node.id,
    name: node.name,
    type: node.type,
    width: node.width,
    height: node.height,
    hasImage: hasImageFill(node, mixed),
  };
}

export function summarizeSelection(port: FigmaPort): Selection {
  return { items: port.selection().map((node) => summarizeNode(node, port.mixed)) };
}
