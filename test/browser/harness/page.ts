// The harness page: Figma's part for the browser tests. It builds the document the query describes on the
// fake `figma` that keeps Figma's rules, runs the built dist/plugin.js in QuickJS with only the sandbox's
// globals (no URL, no TextEncoder: what Figma's sandbox lacks fails here too), shows the panel the plugin
// asked for in a sandboxed iframe and carries the messages between them. window.__harness lets the tests
// act as the designer (select, switch pages) and read the canvas back.
import type { FakePage, FakeSceneNode } from "../../../plugin/testing/fake-figma/index.ts";
import { createSandbox } from "../../../plugin/testing/sandbox/index.ts";
import { loadQuickJS } from "../../../plugin/testing/sandbox/quickjs-browser.ts";
import type { HarnessApi } from "./contract.ts";
import { inspect } from "./inspect.ts";
import { connectPanel, messageType } from "./panel.ts";
import { readQuery } from "./query.ts";
import { buildScene } from "./scene.ts";

declare global {
  interface Window {
    __harness?: HarnessApi;
  }
}

async function start(): Promise<void> {
  const query = readQuery(location.search);
  if (query.theme === "dark") document.body.classList.add("dark");
  const frame = document.getElementById("panel") as HTMLIFrameElement;
  const [{ fake, given }, quickjs, plugin, ui] = await Promise.all([
    buildScene(query),
    loadQuickJS(),
    fetch("/plugin.js").then((r) => r.text()),
    fetch("/ui.html").then((r) => r.text()),
  ]);
  const panel = connectPanel(fake, frame);
  const sandbox = createSandbox({ quickjs, figma: fake.figma, html: ui });

  const found = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`no ${what} on the canvas`);
    return value;
  };
  const pageNamed = (name: string): FakePage => {
    const page = fake.pages.find((p) => p.name === name);
    if (!page) throw new Error(`no page named ${name}; the document has ${fake.pages.map((p) => p.name).join(", ")}`);
    return page;
  };
  let pendingSwitch: { page: FakePage; after: string } | null = null;
  panel.onPosted((message) => {
    if (!pendingSwitch || messageType(message) !== pendingSwitch.after) return;
    const { page } = pendingSwitch;
    pendingSwitch = null;
    // After the post returns to the plugin: the designer acts between two of its steps, not inside one.
    setTimeout(() => fake.switchPage(page), 0);
  });

  window.__harness = {
    async select(names) {
      fake.currentPage.selection = names.map((name) => found(given.find((n) => n.name === name), `given node named ${name}`));
      await fake.settle();
    },
    async selectIds(ids) {
      // A removed node or one on another page is refused by the selection setter, as in Figma.
      fake.currentPage.selection = ids.map((id) => found(fake.node(id) as FakeSceneNode | undefined, `node ${id}`));
      await fake.settle();
    },
    async switchPage(name, afterPosted) {
      const page = pageNamed(name);
      if (afterPosted) pendingSwitch = { page, after: afterPosted };
      else {
        fake.switchPage(page);
        await fake.settle();
      }
    },
    inspect: (points) => inspect(fake, given, points),
    received: () => panel.received.map((m) => ({ ...m })),
    posted: () => fake.posted.map(messageType),
    async storage() {
      const values: Record<string, unknown> = {};
      for (const key of await fake.figma.clientStorage.keysAsync()) values[key] = await fake.figma.clientStorage.getAsync(key);
      return values;
    },
    errors: () => ({ sandbox: [...sandbox.errors], notifications: fake.notifications.map((n) => ({ message: n.message, error: n.error })) }),
  };

  sandbox.run(plugin, "plugin.js");
  await panel.show(query.theme);
}

start().catch((error: unknown) => {
  // The tests wait for the panel; this says why it never came.
  document.body.dataset.failed = error instanceof Error ? `${error.message}\n${error.stack ?? ""}` : String(error);
  console.error(error);
});
