// The project last used in this Figma file (docs/api.md "Projects"): kept in the document's plugin data,
// so whoever opens the file next is offered the same project. Asked for (no projectId), remembered (an id)
// or forgotten (null); answered with what the file now holds either way.
import type { Handler } from "./context.ts";

/** The document's plugin-data key (setting "" removes it, as Figma's setPluginData does). */
export const PROJECT_KEY = "projectId";
const PROJECT_ID = /^prj_[a-z2-7]{10,40}$/;

export const documentProject: Handler<"document-project"> = ({ port }, message) => {
  if (message.projectId !== undefined) port.documentData.set(PROJECT_KEY, message.projectId ?? "");
  const stored = port.documentData.get(PROJECT_KEY);
  // A value another version (or a hand edit) left that is no project id is no project.
  port.postMessage({ type: "document-project", projectId: PROJECT_ID.test(stored) ? stored : null });
};
