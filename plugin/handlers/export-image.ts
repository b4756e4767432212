// The selected image's bytes (and mask, references) for a job.
import { exportForJob } from "../export-image.ts";
import { messageOf, type Handler } from "./context.ts";

export const exportImage: Handler<"export-image"> = async ({ port }, message) => {
  try {
    port.postMessage({ type: "exported", requestId: message.requestId, ...(await exportForJob(port, message)) });
  } catch (error) {
    port.postMessage({ type: "export-failed", requestId: message.requestId, message: messageOf(error) });
  }
};
