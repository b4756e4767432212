// A toast on the canvas, asked for by the panel.
import type { Handler } from "./context.ts";

export const notify: Handler<"notify"> = ({ port }, message) => port.notify(message.message, { error: message.error });
