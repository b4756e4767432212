// All of a placement's images have arrived: put them on the canvas as one undo step.
import { placeImages } from "../placement.ts";
import { messageOf, type Handler } from "./context.ts";

export const placeCommit: Handler<"place-commit"> = async ({ port, pending, refreshSelection }, message) => {
  const { requestId, name, provenance, source } = message;
  try {
    const placed = await placeImages(port, { name, provenance, source, images: pending.take(requestId) });
    port.postMessage({ type: "placed", requestId, ...placed });
  } catch (error) {
    port.postMessage({ type: "place-failed", requestId, message: messageOf(error) });
    return;
  }
  await refreshSelection().catch(() => undefined);
};
