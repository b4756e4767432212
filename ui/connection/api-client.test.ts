import { describe, expect, it } from "vitest";
import { asset, catalog, job, me, onlyLocal, spec } from "../testing/fixtures.ts";
import { fakeFetch, ok } from "../testing/fake-fetch.ts";
import { createApiClient, dispositionFilename, POLL_MAX_MS, usagePath } from "./api-client.ts";
import { ApiError } from "./api-error.ts";

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

  it("sends image parts as multipart/form-data with a spec JSON part, letting fetch set the boundary", async () => {
    const { fetch, calls } = fakeFetch([ok({ job: job() }, 202)]);
    const edit = { operation: "edit", kind: "erase", provider: "auto" } as const;
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0]);
    await createApiClient(settings, { fetch }).createJob(edit, "key-2", { image: jpeg, mask: png });
    const form = calls[0]!.form!;
    expect(calls[0]!.headers.get("content-type")).toBeNull();
    expect(calls[0]!.headers.get("idempotency-key")).toBe("key-2");
    expect(JSON.parse(form.get("spec") as string)).toEqual(edit);
    const image = form.get("image") as File;
    const mask = form.get("mask") as File;
    expect([image.type, mask.type]).toEqual(["image/jpeg", "image/png"]);
    expect(new Uint8Array(await mask.arrayBuffer())).toEqual(png);
    expect([...form.keys()]).toEqual(["spec", "image", "mask"]);
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

describe("the Team studio's requests", () => {
  const member = { id: "mem_a", name: "Ada", role: "member", monthlyCap: 500, disabled: false, spent: 40, held: 0, capRemaining: 460 };
  const usage = {
    from: "2026-11-01T00:00:00.000Z",
    to: "2026-12-01T00:00:00.000Z",
    groupBy: ["member", "operation", "provider"],
    member: null,
    rows: [{ memberId: "mem_a", memberName: "Ada", operation: "create", provider: "local", credits: 40, jobs: 2, images: 4 }],
    total: { credits: 40, jobs: 2, images: 4 },
  };
  const team = {
    team: { id: "team_1", name: "Studio", tier: "pro" },
    balance: { available: 960, held: 0, granted: 1000, spent: 40, periodStartsAt: usage.from, periodEndsAt: usage.to },
    members: [member],
  };

  it("writes the usage query as docs/api.md has it", () => {
    expect(usagePath({ groupBy: ["member", "operation", "provider"] })).toBe("/v1/usage?groupBy=member%2Coperation%2Cprovider");
    expect(usagePath({ groupBy: ["day"], from: "2026-11-01", to: "2026-12-01", member: "mem_a" }, "csv")).toBe(
      "/v1/usage?groupBy=day&from=2026-11-01&to=2026-12-01&member=mem_a&format=csv",
    );
  });

  it("parses /v1/team and /v1/usage with core's schemas", async () => {
    const { fetch, calls } = fakeFetch([ok(team), ok(usage), ok({ ...usage, total: { credits: -1, jobs: 0, images: 0 } })]);
    const api = createApiClient(settings, { fetch });
    expect(await api.team()).toEqual(team);
    expect(await api.usage({ groupBy: ["member", "operation", "provider"] })).toEqual(usage);
    await expect(api.usage({ groupBy: ["member"] })).rejects.toMatchObject({ code: "bad_response", message: expect.stringContaining("/v1/usage does not match") });
    expect(calls.map((c) => c.url)).toEqual([
      "http://localhost:8787/v1/team",
      "http://localhost:8787/v1/usage?groupBy=member%2Coperation%2Cprovider",
      "http://localhost:8787/v1/usage?groupBy=member",
    ]);
  });

  it("patches a member's cap and returns the member as the proxy has it now", async () => {
    const { fetch, calls } = fakeFetch([ok({ member: { ...member, monthlyCap: null, capRemaining: null } })]);
    const saved = await createApiClient(settings, { fetch }).updateMember("mem a/1", { monthlyCap: null });
    expect(saved.monthlyCap).toBeNull();
    expect(calls[0]).toMatchObject({ url: "http://localhost:8787/v1/team/members/mem%20a%2F1", method: "PATCH", body: '{"monthlyCap":null}' });
    expect(calls[0]!.headers.get("content-type")).toBe("application/json");
  });

  it("shows a refused cap as the proxy's error", async () => {
    const body = { error: { code: "invalid_request", message: "Invalid request", details: { fields: { monthlyCap: "must be 0 or more" } } } };
    const { fetch } = fakeFetch([ok(body, 400)]);
    await expect(createApiClient(settings, { fetch }).updateMember("mem_a", { monthlyCap: -1 })).rejects.toMatchObject({ code: "invalid_request", status: 400 });
  });

  it("fetches the CSV as text with the proxy's file name when CORS shows it", async () => {
    const csv = "member_id,member_name,credits,jobs,images\r\nmem_a,Ada,40,2,4\r\n";
    const headers = { "content-type": "text/csv; charset=utf-8; header=present", "content-disposition": 'attachment; filename="usage-2026-11-01-2026-12-01.csv"' };
    const { fetch, calls } = fakeFetch([new Response(csv, { headers }), new Response(csv, { headers: { "content-type": "text/csv" } }), ok(usage)]);
    const api = createApiClient(settings, { fetch });
    expect(await api.usageCsv({ groupBy: ["member"] })).toEqual({ text: csv, filename: "usage-2026-11-01-2026-12-01.csv" });
    expect(calls[0]!.url).toBe("http://localhost:8787/v1/usage?groupBy=member&format=csv");
    expect(calls[0]!.headers.get("authorization")).toBe("Bearer tok");
    expect(await api.usageCsv({ groupBy: ["member"] })).toEqual({ text: csv, filename: null });
    // JSON where CSV was asked for: an older proxy that ignores format=csv.
    await expect(api.usageCsv({ groupBy: ["member"] })).rejects.toMatchObject({ code: "bad_response" });
  });

  it("takes only a plain file name from Content-Disposition", () => {
    expect(dispositionFilename('attachment; filename="usage-2026-11-01-2026-12-01.csv"')).toBe("usage-2026-11-01-2026-12-01.csv");
    expect(dispositionFilename("attachment; filename=usage.csv")).toBe("usage.csv");
    expect(dispositionFilename('attachment; filename="../../etc/passwd"')).toBeNull();
    expect(dispositionFilename("attachment")).toBeNull();
    expect(dispositionFilename(null)).toBeNull();
  });
});
