// One image of a placement: straight to Figma (which refuses anything but PNG, JPEG or GIF up to 4096 px),
// keeping only its hash; the answer lets the panel send the next one and show progress.
import { messageOf, type Handler } from "./context.ts";

export const placeImage: Handler<"place-image"> = ({ port, pending }, message) => {
  const { requestId, index, total, image } = message;
  try {
    const { hash } = port.createImage(image.bytes);
    const { width, height, assetId, format, source, name, jobId } = image;
    const received = pending.add(requestId, index, total, { hash, width, height, assetId, format, source, name, jobId });
    port.postMessage({ type: "place-progress", requestId, received });
  } catch (error) {
    pending.drop(requestId);
    port.postMessage({ type: "place-failed", requestId, message: messageOf(error) });
  }
};
