// What crosses between the host and the VM, and how: identity for objects, copies for data.
import { describe, expect, it } from "vitest";
import { SandboxError, type Sandbox } from "./index.ts";
import { HostApi, HostNode, sandbox } from "./test-hosts.ts";

async function setup(): Promise<{ api: HostApi; box: Sandbox }> {
  const api = new HostApi();
  return { api, box: await sandbox({ figma: api }) };
}

describe("host objects cross by reference", () => {
  it("gives the same host object the same VM proxy, and the host its own object back", async () => {
    const { api, box } = await setup();
    expect(
      box.run(`(() => {
        const node = figma.getNodeById("1:1");
        const both = [node, figma.getNodeById("1:2")];
        return {
          same: node === figma.selection[0] && figma.ui === figma.ui && figma.clientStorage === figma.clientStorage,
          filtered: both.filter((n) => n !== node).map((n) => n.id),
          includes: both.includes(figma.getNodeById("1:2")),
          indexOf: both.indexOf(figma.selection[0]),
          setHas: new Set(both).has(figma.getNodeById("1:1")),
        };
      })()`),
    ).toEqual({ same: true, filtered: ["1:2"], includes: true, indexOf: 0, setHas: true });
    box.run(`figma.keep(figma.getNodeById("1:2")); figma.keep([figma.ui, { node: figma.selection[0] }]); figma.selection = [figma.getNodeById("1:2")];`);
    expect(api.kept[0]).toBe(api.nodes[1]);
    expect(api.kept[1]).toEqual([api.ui, { node: api.nodes[0] }]);
    expect((api.kept[1] as unknown[])[0]).toBe(api.ui);
    expect(api.selection).toEqual([api.nodes[1]]);
    expect(api.selection[0]).toBe(api.nodes[1]);
  });

  it("copies frozen host arrays and objects into frozen VM copies: push and writes throw", async () => {
    const { box } = await setup();
    expect(
      box.run(`(() => {
        "use strict";
        const node = figma.selection[0];
        const attempt = (f) => { try { f(); return "allowed"; } catch (e) { return e.name; } };
        return {
          frozen: [Object.isFrozen(node.fills), Object.isFrozen(node.fills[0]), Object.isFrozen(node.fills[0].color), Object.isFrozen(figma.selection)],
          pushFills: attempt(() => node.fills.push({ type: "SOLID", color: { r: 0, g: 0, b: 0 } })),
          pushSelection: attempt(() => figma.selection.push(node)),
          writeColor: attempt(() => { node.fills[0].color.r = 0.5; }),
          stillRed: node.fills[0].color.r,
        };
      })()`),
    ).toEqual({ frozen: [true, true, true, true], pushFills: "TypeError", pushSelection: "TypeError", writeColor: "TypeError", stillRed: 1 });
  });

  it("copies unfrozen host arrays into plain VM arrays the plugin may change without touching the host", async () => {
    const { api, box } = await setup();
    expect(box.run(`(() => { const nodes = figma.nodes; nodes.push(1); return [Object.isFrozen(nodes), nodes.length, figma.nodes.length]; })()`)).toEqual([false, 3, 2]);
    expect(api.nodes).toHaveLength(2);
  });

  it("runs host getters and setters on the host, and refuses to write a getter-only property", async () => {
    const { api, box } = await setup();
    expect(
      box.run(`(() => {
        "use strict";
        const node = figma.selection[0];
        node.name = "Hero";
        node.fills = [{ type: "SOLID", color: { r: 0, g: 1, b: 0 } }];
        let wrongType, readOnly;
        try { node.name = 5; } catch (e) { wrongType = [e instanceof TypeError, e.message]; }
        try { figma.apiVersion = "2"; } catch (e) { readOnly = e.name; }
        return { name: node.name, green: node.fills[0].color.g, frozen: Object.isFrozen(node.fills), wrongType, readOnly, version: figma.apiVersion };
      })()`),
    ).toEqual({ name: "Hero", green: 1, frozen: true, wrongType: [true, "name must be a string"], readOnly: "TypeError", version: "1.0.0" });
    expect(api.nodes[0]!.name).toBe("Hero");
    expect(api.nodes[0]!.fills).toEqual([{ type: "SOLID", color: { r: 0, g: 1, b: 0 } }]);
  });

  it("calls host methods with the host object as `this`, whatever the VM calls them on", async () => {
    const { box } = await setup();
    expect(
      box.run(`(() => {
        const [a, b] = [figma.getNodeById("1:1"), figma.getNodeById("1:2")];
        a.setPluginData("job", "42");
        let detached;
        try { const d = a.describe; d(); } catch (e) { detached = e.name; }
        return { own: a.describe(), borrowed: a.describe.call(b), data: [a.getPluginData("job"), b.getPluginData("job")], detached };
      })()`),
    ).toEqual({ own: "1:1:Rectangle:private", borrowed: "1:2:Rectangle:private", data: ["42", ""], detached: "TypeError" });
  });

  it("answers `in`, Object.keys, property descriptors and delete from the host object", async () => {
    const { api, box } = await setup();
    expect(
      box.run(`(() => {
        const node = figma.getNodeById("1:1");
        node.extra = 1;
        const before = Object.keys(node).includes("extra");
        delete node.extra;
        return {
          has: ["describe" in node, "id" in node, "nope" in node],
          keys: before && !Object.keys(node).includes("extra") && Object.keys(node).includes("cornerRadius"),
          descriptor: Object.getOwnPropertyDescriptor(node, "id"),
          same: figma.registry === figma.registry,
        };
      })()`),
    ).toEqual({ has: [true, true, false], keys: true, descriptor: { value: "1:1", writable: true, enumerable: true, configurable: true }, same: true });
    expect("extra" in api.nodes[0]!).toBe(false);
  });

  it("maps well-known symbols, so host iterables (a Map, its iterators) work from the VM", async () => {
    const { box } = await setup();
    expect(box.run(`(() => { const out = []; for (const [k, v] of figma.registry) out.push(k + v); return [out, [...figma.registry.keys()], figma.registry.get("b")]; })()`)).toEqual([
      ["a1", "b2"],
      ["a", "b"],
      2,
    ]);
  });
});

describe("errors and promises", () => {
  it("turns a host throw into a VM exception the plugin can catch, with its class, name and message", async () => {
    const { box } = await setup();
    expect(
      box.run(`(() => {
        const node = figma.selection[0];
        const out = [];
        try { node.remove(); } catch (e) { out.push([e instanceof Error, e.name, e.message]); }
        try { node.setPluginData("k", "x".repeat(101)); } catch (e) { out.push([e instanceof RangeError, e.name, e.message]); }
        return out;
      })()`),
    ).toEqual([
      [true, "Error", "node 1:1 is locked"],
      [true, "RangeError", "plugin data entries are limited to 100 characters here"],
    ]);
  });

  it("gives the VM a promise for a host promise: resolved values and rejections arrive, idle() waits for them", async () => {
    const { api, box } = await setup();
    api.clientStorage.values.set("token", "abc");
    const result = box.run(`(async () => {
      const node = figma.selection[0];
      const bytes = await node.exportAsync();
      await figma.clientStorage.setAsync("seen", { at: 1, tags: ["x"] });
      const token = await figma.clientStorage.getAsync("token");
      let failure;
      try { await figma.clientStorage.failAsync(); } catch (e) { failure = [e instanceof Error, e.message]; }
      return { bytes: [bytes instanceof Uint8Array, Array.from(bytes)], token, failure };
    })()`);
    await box.idle();
    await expect(result).resolves.toEqual({ bytes: [true, [137, 80, 78, 71]], token: "abc", failure: [true, "storage is full"] });
    expect(api.clientStorage.values.get("seen")).toEqual({ at: 1, tags: ["x"] });
  });

  it("comes out of a throwing run() as a SandboxError with the VM's name, message and stack", async () => {
    const { box } = await setup();
    let thrown: unknown;
    try {
      box.run(`function deep() { null.x; }\nfunction top() { deep(); }\ntop();`, "bundle.js");
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SandboxError);
    const error = thrown as SandboxError;
    expect(error.name).toBe("TypeError");
    expect(error.message).toBe("cannot read property 'x' of null");
    expect(error.vmStack).toMatch(/at deep \(bundle\.js:1/);
    expect(error.vmStack).toMatch(/at top \(bundle\.js:2/);
    expect(error.stack).toBe(`TypeError: cannot read property 'x' of null\n${error.vmStack}`);
  });
});

describe("VM functions handed to the host", () => {
  it("runs a handler the host calls (figma.ui.onmessage) and lets idle() wait for its async work", async () => {
    const { api, box } = await setup();
    api.clientStorage.values.set("proxyUrl", "http://localhost:8787");
    box.run(`figma.ui.onmessage = async (message) => {
      const value = await figma.clientStorage.getAsync(message.key);
      figma.ui.postMessage({ type: "value", key: message.key, value, nodes: figma.selection });
    };`);
    expect(typeof api.ui.onmessage).toBe("function");
    void api.ui.deliver({ key: "proxyUrl" });
    expect(api.ui.posted).toEqual([]);
    await box.idle();
    expect(api.ui.posted).toEqual([{ type: "value", key: "proxyUrl", value: "http://localhost:8787", nodes: [api.nodes[0]] }]);
    expect((api.ui.posted[0] as { nodes: unknown[] }).nodes[0]).toBe(api.nodes[0]);
    expect(box.errors).toEqual([]);
  });

  it("gives the same VM function the same host function, so off(handler) finds it", async () => {
    const { api, box } = await setup();
    box.run(`globalThis.calls = 0; const onChange = (n) => { calls += n; }; figma.on("selectionchange", onChange); figma.on("selectionchange", onChange);`);
    expect(api.listenerCount("selectionchange")).toBe(1);
    api.emit("selectionchange", 2);
    expect(box.run("calls")).toBe(2);
    box.run(`figma.off("selectionchange", onChange); figma.keep(onChange);`);
    expect(api.listenerCount("selectionchange")).toBe(0);
    // Back in the VM, the host function is the VM function again.
    expect(box.run("figma.echo(onChange) === onChange")).toBe(true);
    expect((api.kept[0] as (n: number) => unknown)(5)).toBeUndefined();
    expect(box.run("calls")).toBe(7);
  });

  it("returns what the VM function returns; a throw reaches the host caller and is listed in errors", async () => {
    const { api, box } = await setup();
    box.run(`figma.keep(function (a, b) { "use strict"; return { sum: a + b, self: this === undefined }; }); figma.keep(() => { throw new RangeError("bad handler"); });`);
    const [add, fail] = api.kept as [(a: number, b: number) => unknown, () => unknown];
    expect(add(2, 3)).toEqual({ sum: 5, self: true });
    expect(() => fail()).toThrow(SandboxError);
    expect(() => fail()).toThrow("bad handler");
    expect(box.errors).toHaveLength(2);
    expect(box.errors[0]).toMatch(/^RangeError: bad handler\n\s+at /);
  });

  it("sends a throw from a VM function the host calls while serving the VM back into the VM, unlisted", async () => {
    const { box } = await setup();
    expect(
      box.run(`(() => {
        figma.on("boom", () => { throw new TypeError("inner"); });
        try { figma.emit("boom"); return "no throw"; } catch (e) { return [e.name, e.message]; }
      })()`),
    ).toEqual(["TypeError", "inner"]);
    expect(box.errors).toEqual([]);
  });

  it("lists the rejection of an async handler nobody awaits in errors (Figma ignores what handlers return)", async () => {
    const { api, box } = await setup();
    box.run(`figma.on("run", async () => { await figma.clientStorage.failAsync(); });`);
    api.emit("run");
    await box.idle();
    expect(box.errors).toHaveLength(1);
    expect(box.errors[0]).toMatch(/^Unhandled rejection: Error: storage is full/);
  });
});

describe("data is copied", () => {
  it("copies VM plain objects and arrays to the host, deeply, as they were when handed over", async () => {
    const { api, box } = await setup();
    box.run(`const data = { a: [1, { b: "c" }], n: null, u: undefined, nested: { deep: [true] } }; figma.keep(data); data.a.push(2);`);
    expect(api.kept[0]).toEqual({ a: [1, { b: "c" }], n: null, u: undefined, nested: { deep: [true] } });
    expect(Object.getPrototypeOf(api.kept[0])).toBe(Object.prototype);
  });

  it("copies Uint8Array both ways (a view copies just its bytes), and ArrayBuffer too", async () => {
    const { api, box } = await setup();
    box.run(`const all = new Uint8Array([9, 1, 2, 3]); figma.keep(all.subarray(1)); figma.keep(all.buffer); figma.keep(new Uint8Array(0));`);
    const [view, buffer, empty] = api.kept as [Uint8Array, ArrayBuffer, Uint8Array];
    expect(view).toBeInstanceOf(Uint8Array);
    expect([...view]).toEqual([1, 2, 3]);
    expect(buffer).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(buffer)]).toEqual([9, 1, 2, 3]);
    expect(empty).toHaveLength(0);
    const big = new Uint8Array(1 << 20).map((_, i) => i & 255);
    const echo = box.run(`(b) => [b instanceof Uint8Array, b.length, b[1000], b]`) as (b: Uint8Array) => [boolean, number, number, Uint8Array];
    const [isBytes, length, at1000, back] = echo(big);
    expect([isBytes, length, at1000]).toEqual([true, 1 << 20, 1000 & 255]);
    // Plain comparisons: vitest's matchers walk a megabyte element by element (seconds), even for not.toBe.
    expect(back === big).toBe(false);
    expect(Buffer.from(back).equals(Buffer.from(big))).toBe(true);
  });

  it("maps a host symbol to one VM symbol and back (figma.mixed), and a VM symbol to one host symbol", async () => {
    const { api, box } = await setup();
    expect(
      box.run(`(() => {
        const node = figma.selection[0];
        const mine = Symbol("mine");
        figma.keep(figma.mixed); figma.keep(mine); figma.keep(mine);
        return [typeof figma.mixed, node.cornerRadius === figma.mixed, figma.echo(mine) === mine, figma.echo(Symbol.for("k")) === Symbol.for("k"), String(figma.mixed)];
      })()`),
    ).toEqual(["symbol", true, true, true, "Symbol(mixed)"]);
    expect(api.kept[0]).toBe(api.mixed);
    expect(typeof api.kept[1]).toBe("symbol");
    expect(api.kept[1]).toBe(api.kept[2]);
    expect(api.kept[1]).not.toBe(api.mixed);
    // A symbol-valued property set from the VM is the host's own symbol.
    box.run(`figma.getNodeById("1:2").cornerRadius = figma.mixed;`);
    expect(api.nodes[1]!.cornerRadius).toBe(api.mixed);
  });

  it("turns a host getter throwing midway through a copy into a VM exception, leaking nothing", async () => {
    const data = () => ({ ok: [1, 2], nested: { get bad(): never { throw new Error("getter failed"); } } });
    const box = await sandbox({ figma: { data } });
    expect(box.run(`(() => { try { figma.data(); } catch (e) { return e.message; } })()`)).toBe("getter failed");
    // The partly built copy was freed: disposing (afterEach) would abort on a leaked handle.
  });

  it("copies host data reached twice twice, and keeps a cycle a cycle", async () => {
    const { box } = await setup();
    const shared = { v: 1 };
    const cyclic: { name: string; self?: unknown; list: unknown[] } = { name: "loop", list: [] };
    cyclic.self = cyclic;
    cyclic.list.push(cyclic, shared);
    const inspect = box.run(`(x) => [x.a.v, x.b.v, x.a === x.b, x.c.self === x.c, x.c.list[0] === x.c, x.c.list[1].v]`) as (x: unknown) => unknown;
    expect(inspect({ a: shared, b: shared, c: cyclic })).toEqual([1, 1, false, true, true, 1]);
  });

  it("copies host plain data into the VM with its shape (null-prototype objects, nested arrays, errors)", async () => {
    const { box } = await setup();
    const fn = box.run(`(x) => [Object.getPrototypeOf(x.bare) === null, x.list[1].k, x.error instanceof TypeError, x.error.message, x.big + 1n, x.node instanceof Object]`) as (
      x: unknown,
    ) => unknown;
    const bare = Object.create(null) as Record<string, number>;
    bare.v = 1;
    expect(fn({ bare, list: [0, { k: "v" }], error: new TypeError("nope"), big: BigInt(41), node: new HostNode("9:9", Symbol()) })).toEqual([true, "v", true, "nope", BigInt(42), true]);
  });
});
