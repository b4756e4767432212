import { describe, expect, it } from "vitest";
import type { PluginToUI } from "../../core/messages.ts";
import { uiToPluginSchema } from "../../core/messages.ts";
import { fakePort } from "../testing/fake-port.ts";
import { createHandlers } from "./index.ts";
import { PROJECT_KEY } from "./document-project.ts";

const ID = "prj_abcdefghijklmnopqrstuvwxyz";

describe("document-project", () => {
  it("remembers the last project in the document's plugin data, forgets it, and answers what the file holds", async () => {
    const { fake, port } = fakePort();
    const sent: PluginToUI[] = [];
    const handlers = createHandlers({ ...port, postMessage: (m) => void sent.push(m) }, async () => {});
    const run = (raw: unknown) => {
      const m = uiToPluginSchema.parse(raw);
      if (m.type !== "document-project") throw new Error("not the message");
      return handlers["document-project"](m);
    };
    await run({ type: "document-project" });
    await run({ type: "document-project", projectId: ID });
    expect(fake.figma.root.getPluginData(PROJECT_KEY)).toBe(ID);
    await run({ type: "document-project" });
    await run({ type: "document-project", projectId: null });
    expect(fake.figma.root.getPluginData(PROJECT_KEY)).toBe("");
    expect(sent).toEqual([
      { type: "document-project", projectId: null },
      { type: "document-project", projectId: ID },
      { type: "document-project", projectId: ID },
      { type: "document-project", projectId: null },
    ]);
  });

  it("refuses a message whose id is no project id, and ignores such a stored value", async () => {
    expect(uiToPluginSchema.safeParse({ type: "document-project", projectId: "x; drop" }).success).toBe(false);
    const { fake, port } = fakePort();
    fake.figma.root.setPluginData(PROJECT_KEY, "not-an-id");
    const sent: PluginToUI[] = [];
    await createHandlers({ ...port, postMessage: (m) => void sent.push(m) }, async () => {})["document-project"]({ type: "document-project" });
    expect(sent).toEqual([{ type: "document-project", projectId: null }]);
  });
});
