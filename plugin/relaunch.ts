// "Regenerate" in the properties panel relaunches the plugin with the clicked node selected; the node's
// plugin data says which job made it, so the panel can reopen with that prompt and spec.
import type { Provenance } from "../core/messages.ts";
import { REGENERATE_COMMAND } from "./commands.ts";
import type { FigmaPort } from "./figma-port.ts";
import { restoredSpec, SPEC_WITHOUT_PROMPT_KEY } from "./plugin-data.ts";

export function relaunchProvenance(port: FigmaPort): Provenance | undefined {
  if (port.command !== REGENERATE_COMMAND) return undefined;
  const node = port.selection().find((n) => n.getPluginData("jobId") !== "");
  if (!node) return undefined;
  const prompt = node.getPluginData("prompt");
  const spec = restoredSpec(node.getPluginData("spec"), prompt, node.getPluginData(SPEC_WITHOUT_PROMPT_KEY) === "1");
  return {
    jobId: node.getPluginData("jobId"),
    operation: node.getPluginData("operation") || "create",
    ...(prompt ? { prompt } : {}),
    ...(spec ? { spec } : {}),
  };
}
