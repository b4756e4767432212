// The sandbox's timers and its restricted fetch.
import { describe, expect, it, vi } from "vitest";
import type { HostTimers } from "./index.ts";
import { HostApi, sandbox } from "./test-hosts.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("timers", () => {
  it("fires a timeout on the host's clock, then runs the jobs it queued; idle() waits for its host promises", async () => {
    const api = new HostApi();
    api.clientStorage.values.set("k", "v");
    const box = await sandbox({ figma: api });
    const id = box.run(`setTimeout(async () => { figma.keep(await figma.clientStorage.getAsync("k")); }, 5)`);
    expect(typeof id).toBe("number");
    expect(box.pendingTimers()).toBe(1);
    await sleep(20);
    await box.idle();
    expect(api.kept).toEqual(["v"]);
    expect(box.pendingTimers()).toBe(0);
  });

  it("repeats an interval until the plugin clears it (even from inside its own callback)", async () => {
    const api = new HostApi();
    const box = await sandbox({ figma: api });
    box.run(`let n = 0; const id = setInterval(() => { figma.keep(++n); if (n === 3) clearInterval(id); }, 1);`);
    await vi.waitFor(() => expect(api.kept).toEqual([1, 2, 3]));
    await sleep(10);
    expect(api.kept).toEqual([1, 2, 3]);
    expect(box.pendingTimers()).toBe(0);
  });

  it("does not fire a cleared timeout; either clear cancels either kind", async () => {
    const api = new HostApi();
    const box = await sandbox({ figma: api });
    box.run(`clearTimeout(setTimeout(() => figma.keep("timeout"), 1)); clearTimeout(setInterval(() => figma.keep("interval"), 1)); clearTimeout(12345);`);
    await sleep(15);
    expect(api.kept).toEqual([]);
  });

  it("lists a throwing callback in errors and keeps going", async () => {
    const api = new HostApi();
    const box = await sandbox({ figma: api });
    box.run(`setTimeout(() => { throw new Error("tick failed"); }, 1); setTimeout(() => figma.keep("next"), 3);`);
    await vi.waitFor(() => expect(api.kept).toEqual(["next"]));
    expect(box.errors).toHaveLength(1);
    expect(box.errors[0]).toMatch(/^Error: tick failed\n/);
  });

  it("cancels what is still scheduled when disposed", async () => {
    const calls: string[] = [];
    const timers: HostTimers = {
      setTimeout: (fn, ms) => (calls.push(`setTimeout ${ms}`), setTimeout(fn, ms)),
      clearTimeout: (h) => (calls.push("clearTimeout"), clearTimeout(h as ReturnType<typeof setTimeout>)),
      setInterval: (fn, ms) => (calls.push(`setInterval ${ms}`), setInterval(fn, ms)),
      clearInterval: (h) => (calls.push("clearInterval"), clearInterval(h as ReturnType<typeof setInterval>)),
    };
    const box = await sandbox({ timers });
    box.run(`setTimeout(() => {}, 50); setInterval(() => {}, 50); setTimeout(() => {}, "7");`);
    box.dispose();
    expect(calls).toEqual(["setTimeout 50", "setInterval 50", "setTimeout 7", "clearTimeout", "clearInterval", "clearTimeout"]);
  });

  it("refuses a callback that is not a function", async () => {
    const box = await sandbox();
    expect(box.run(`(() => { try { setTimeout("figma.keep(1)", 1); } catch (e) { return e.message; } })()`)).toBe("setTimeout: callback must be a function");
  });
});

class HostResponse implements FetchResponse {
  readonly headersObject = { "content-type": "application/json" };
  readonly ok = true;
  readonly redirected = false;
  readonly status = 200;
  readonly statusText = "OK";
  readonly type = "cors";
  constructor(
    readonly url: string,
    private readonly body: string,
  ) {}
  async arrayBuffer(): Promise<ArrayBuffer> {
    return new TextEncoder().encode(this.body).buffer as ArrayBuffer;
  }
  async text(): Promise<string> {
    return this.body;
  }
  async json(): Promise<unknown> {
    return JSON.parse(this.body) as unknown;
  }
}

describe("the restricted fetch", () => {
  function withFetch() {
    const requests: { url: string; init: FetchOptions | undefined }[] = [];
    const fetch = async (url: string, init?: FetchOptions): Promise<FetchResponse> => {
      requests.push({ url, init });
      await sleep(1);
      if (url.includes("down")) throw new Error("connection refused");
      return new HostResponse(url, '{"credits":3}');
    };
    return { requests, fetch };
  }

  it("passes a string url and a string or Uint8Array body to the host, and gives back the response", async () => {
    const { requests, fetch } = withFetch();
    const box = await sandbox({ fetch });
    const result = box.run(`(async () => {
      const a = await fetch("http://localhost:8787/v1/balance", { method: "POST", headers: { "x-token": "t" }, body: "{}" });
      const b = await fetch("http://localhost:8787/v1/upload", { method: "PUT", body: new Uint8Array([1, 2]) });
      return { ok: a.ok, status: a.status, type: a.headersObject["content-type"], json: await a.json(), text: await b.text(), bytes: Array.from(new Uint8Array(await b.arrayBuffer())).length };
    })()`);
    await box.idle();
    await expect(result).resolves.toEqual({ ok: true, status: 200, type: "application/json", json: { credits: 3 }, text: '{"credits":3}', bytes: 13 });
    expect(requests[0]).toEqual({ url: "http://localhost:8787/v1/balance", init: { method: "POST", headers: { "x-token": "t" }, body: "{}" } });
    expect(requests[1]!.init!.body).toBeInstanceOf(Uint8Array);
    expect([...(requests[1]!.init!.body as Uint8Array)]).toEqual([1, 2]);
  });

  it.each([
    ["a URL-like object", `fetch({ href: "http://x", toString() { return "http://x"; } })`, "fetch: url must be a string (fetch(url: string, init?: FetchOptions) in @figma/plugin-typings index.d.ts); got an object"],
    ["a host object", `fetch(figma.ui)`, "fetch: url must be a string (fetch(url: string, init?: FetchOptions) in @figma/plugin-typings index.d.ts); got a HostUI"],
    ["no url", `fetch()`, "fetch: url must be a string (fetch(url: string, init?: FetchOptions) in @figma/plugin-typings index.d.ts); got nothing"],
    ["an ArrayBuffer body", `fetch("http://x", { method: "POST", body: new ArrayBuffer(2) })`, "fetch: body must be a string or a Uint8Array (FetchOptions.body in @figma/plugin-typings index.d.ts); got an ArrayBuffer"],
    ["a Uint16Array body", `fetch("http://x", { method: "POST", body: new Uint16Array(2) })`, "fetch: body must be a string or a Uint8Array (FetchOptions.body in @figma/plugin-typings index.d.ts); got a Uint16Array"],
    ["an object body", `fetch("http://x", { method: "POST", body: { a: 1 } })`, "fetch: body must be a string or a Uint8Array (FetchOptions.body in @figma/plugin-typings index.d.ts); got an object"],
    ["a number body", `fetch("http://x", { method: "POST", body: 5 })`, "fetch: body must be a string or a Uint8Array (FetchOptions.body in @figma/plugin-typings index.d.ts); got number"],
    ["a string init", `fetch("http://x", "POST")`, "fetch: init must be a FetchOptions object (fetch(url: string, init?: FetchOptions) in @figma/plugin-typings index.d.ts); got string"],
  ])("refuses %s with a TypeError before the host sees it", async (_what, call, message) => {
    const { requests, fetch } = withFetch();
    const box = await sandbox({ fetch });
    expect(box.run(`(() => { try { ${call}; return "accepted"; } catch (e) { return [e.name, e.message]; } })()`)).toEqual(["TypeError", message]);
    expect(requests).toEqual([]);
  });

  it("rejects in the VM when the host's fetch fails, and throws when there is no host fetch", async () => {
    const { fetch } = withFetch();
    const box = await sandbox({ fetch });
    const result = box.run(`fetch("http://down.example").then(() => "ok", (e) => e.message)`);
    await box.idle();
    await expect(result).resolves.toBe("connection refused");
    const bare = await sandbox();
    expect(bare.run(`(() => { try { fetch("http://x"); } catch (e) { return e.message; } })()`)).toBe(
      "fetch: this sandbox was created without a host fetch (SandboxOptions.fetch)",
    );
  });
});
