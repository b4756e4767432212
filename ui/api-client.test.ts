import { describe, expect, it } from "vitest";
import { ApiError } from "./api-error.ts";
import { createApiClient, POLL_MAX_MS } from "./api-client.ts";
import { asset, catalog, job, me, onlyLocal, spec } from "./testing/fixtures.ts";

interface Call {
  url: string;
  method: string;
  headers: Headers;
  body: string | null;
}

/** A fetch that answers from a list and records what it was asked. */
function fakeFetch(answers: (Response | Error | ((call: Call) => Response))[]) {
  const calls: Call[] = [];
  const fetch = async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const call = { url: String(input), method: init.method ?? "GET", headers: new Headers(init.headers), body: typeof init.body === "string" ? init.body : null };
    calls.push(call);
    const next = answers.shift();
    if (!next) throw new Error(`unexpected request ${call.url}`);
    if (next instanceof Error) throw next;
    return typeof next === "function" ? next(call) : next;
  };
  return { fetch: fetch as typeof globalThis.fetch, calls };
}

const ok = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const settings = { proxyUrl: "http://localhost:8787/", token: "tok" };

describe("createApiClient", () => {
  it("sends the bearer token and parses /v1/catalog and /v1/me", async () => {
    const { fetch, calls } = fakeFetch([ok({ catalog, providers: onlyLocal }), ok(me())]);
    const api = createApiClient(settings, { fetch });
    expect((await api.catalog()).providers).toEqual(onlyLocal);
    expect((await api.me()).team.tier).toBe("pro");
    expect(calls.map((c) => c.url)).toEqual(["http://localhost:8787/v1/catalog", "http://localhost:8787/v1/me"]);
    expect(calls.every((c) => c.headers.get("authorization") === "Bearer tok")).toBe(true);
  });

  it("creates a job with a JSON spec and the idempotency key", async () => {
    const { fetch, calls } = fakeFetch([ok({ job: job() }, 202)]);
    const created = await createApiClient(settings, { fetch }).createJob(spec, "key-1");
    expect(created.id).toBe("job-1");
    expect(calls[0]).toMatchObject({ url: "http://localhost:8787/v1/jobs", method: "POST", body: JSON.stringify(spec) });
    expect(calls[0]!.headers.get("idempotency-key")).toBe("key-1");
    expect(calls[0]!.headers.get("content-type")).toBe("application/json");
  });

  it("turns the proxy's error body into an ApiError with code, message and details", async () => {
    const body = { error: { code: "insufficient_credits", message: "Needs 8", details: { needed: 8, available: 5 } } };
    const { fetch } = fakeFetch([ok(body, 402)]);
    const error = await createApiClient(settings, { fetch }).createJob(spec, "k").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: "insufficient_credits", message: "Needs 8", details: { needed: 8, available: 5 }, status: 402 });
  });

  it("reports an unreachable proxy, a non-JSON error and an answer of the wrong shape", async () => {
    const { fetch } = fakeFetch([new TypeError("Failed to fetch"), new Response("<html>bad gateway</html>", { status: 502, statusText: "Bad Gateway" }), ok({ user: "?" })]);
    const api = createApiClient(settings, { fetch });
    await expect(api.me()).rejects.toMatchObject({ code: "network_error", message: expect.stringContaining("http://localhost:8787") });
    await expect(api.me()).rejects.toMatchObject({ code: "bad_response", status: 502 });
    await expect(api.me()).rejects.toMatchObject({ code: "bad_response", message: expect.stringContaining("/v1/me") });
  });

  it("polls a job quickly at first, then at most once a second, until it settles", async () => {
    const running = job({ status: "running", progress: { stage: "running", completed: 1, total: 2 } });
    const done = job({ status: "succeeded", progress: { stage: "done", completed: 2, total: 2 }, assets: [asset("a1"), asset("a2")], charged: 8, held: 0 });
    const answers = [...Array(6).fill(null).map(() => ok({ job: running })), ok({ job: done })];
    const { fetch, calls } = fakeFetch(answers);
    const sleeps: number[] = [];
    const updates: string[] = [];
    const api = createApiClient(settings, { fetch, sleep: async (ms) => void sleeps.push(ms) });
    const settled = await api.waitForJob(job(), { onUpdate: (j) => updates.push(j.status) });
    expect(settled.status).toBe("succeeded");
    expect(sleeps[0]).toBe(250);
    expect(sleeps.every((ms, i) => i === 0 || ms >= sleeps[i - 1]!)).toBe(true);
    expect(Math.max(...sleeps)).toBe(POLL_MAX_MS);
    expect(calls.every((c) => c.url === "http://localhost:8787/v1/jobs/job-1")).toBe(true);
    expect(updates.at(-1)).toBe("succeeded");
  });

  it("does not poll a job that is already settled", async () => {
    const { fetch, calls } = fakeFetch([]);
    const failed = job({ status: "failed", error: { code: "provider_error", message: "boom" } });
    expect(await createApiClient(settings, { fetch }).waitForJob(failed)).toBe(failed);
    expect(calls).toEqual([]);
  });

  it("gives up after the timeout", async () => {
    let t = 0;
    const { fetch } = fakeFetch(Array(100).fill(null).map(() => () => ok({ job: job({ status: "running" }) })));
    const api = createApiClient(settings, { fetch, sleep: async () => {}, now: () => (t += 60_000) });
    await expect(api.waitForJob(job())).rejects.toMatchObject({ code: "timeout" });
  });

  it("fetches asset bytes relative to the proxy URL, with auth only for the proxy's origin", async () => {
    const png = new Uint8Array([137, 80, 78, 71]);
    const { fetch, calls } = fakeFetch([new Response(png), new Response(png)]);
    const api = createApiClient({ proxyUrl: "https://studio.example.com/proxy", token: "tok" }, { fetch });
    const bytes = await api.assetBytes("/v1/assets/a1/content");
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect([...bytes]).toEqual([...png]);
    expect(calls[0]!.url).toBe("https://studio.example.com/proxy/v1/assets/a1/content");
    expect(calls[0]!.headers.get("authorization")).toBe("Bearer tok");
    await api.assetBytes("https://cdn.example.net/a1.png");
    expect(calls[1]!.headers.get("authorization")).toBeNull();
  });
});
