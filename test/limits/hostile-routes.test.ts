// Every route of the proxy (read from the app itself, so a route added later is swept too) against hostile
// input, on SQLite and on PostgreSQL: NUL and other control characters, lone surrogates, huge strings, wrong
// types, malformed JSON and multipart, bad query values and odd headers, in the path, the query, the body and
// the headers. No answer may be a 5xx, a refusal must be docs/api.md's error shape, and the ledger must not move.
import { randomBytes } from "node:crypto";
import { connect } from "node:net";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorResponseSchema } from "../../core/api/errors.ts";
import { createTestDatabaseUrl, DB_KINDS, type TestDatabaseUrl } from "../../server/test-support/databases.ts";
import { startTestServer, type TestServer, type TestTeam } from "../../server/test-support/harness.ts";

const HUGE = "x".repeat(200_000);
const CONTROL = ["\u0000", "\u0001", "\u0007", "\u001b", "\u007f", "\u0085", "\n", "\t"];

/** Path parameter values, already URL-encoded where needed. */
const PATH_VALUES = ["%00", "a%00b", "%01", "%7F", "%C2%85", "%ED%A0%80", "%F0%9F%90%88", "%0A", "..%2F..%2Fetc%2Fpasswd", "%25", "x".repeat(5000), "null", "-1", "1e309", "%FF%FE"];

const QUERIES = [
  "?q=%00",
  "?q=a%01b",
  `?q=${"y".repeat(20_000)}`,
  "?q=%ED%A0%80",
  "?limit=-1",
  "?limit=1e9",
  "?limit=abc",
  "?limit=99999999999999999999",
  "?limit=1&limit=2",
  "?cursor=%00",
  "?cursor=..%2F",
  "?from=%00&to=%01",
  "?from=2026-02-30",
  "?to=0000-01-01T00:00:00-23:59",
  "?groupBy=%00",
  "?groupBy=member,member,%0A",
  "?member=%00",
  "?job=a%00",
  "?format=%00",
  "?type=%00&operation=%00&provider=%00",
  "?__proto__=1&constructor=x",
  "?%00=%00",
];

function jsonBodies(): string[] {
  const withEach = (make: (c: string) => unknown) => CONTROL.map((c) => JSON.stringify(make(c)));
  return [
    "{",
    "null",
    "[]",
    '"text"',
    "1e999",
    "{}",
    '{"__proto__":{"admin":true}}',
    JSON.stringify({ operation: "create", prompt: HUGE, quality: "draft" }),
    JSON.stringify({ name: HUGE }),
    "[".repeat(50_000) + "]".repeat(50_000),
    '{"operation":"create","prompt":"\\ud800","quality":"draft"}',
    '{"name":"\\udfff"}',
    ...withEach((c) => ({ operation: "create", prompt: `a${c}b`, quality: "draft", provider: "local", stylePreset: `x${c}` })),
    ...withEach((c) => ({ operation: "create", prompt: "a", negativePrompt: `n${c}`, quality: `draft${c}` })),
    ...withEach((c) => ({ operation: `create${c}`, prompt: "a", quality: "draft" })),
    ...withEach((c) => ({ operation: "edit", kind: "search-replace", prompt: "p", searchPrompt: `s${c}`, selectPrompt: c })),
    ...withEach((c) => ({ operation: "social", formats: [`instagram-square${c}`], crop: "smart" })),
    ...withEach((c) => ({ plan: [{ operation: "create", prompt: `a${c}`, quality: "draft", count: 2 }] })),
    ...withEach((c) => ({ name: `Bo${c}`, role: "member" })),
    ...withEach((c) => ({ monthlyCap: 1, role: `member${c}` })),
    JSON.stringify({ operation: "create", prompt: 5, quality: "draft" }),
    JSON.stringify({ operation: "create", prompt: "a", quality: "draft", variations: "2", seed: -1 }),
    JSON.stringify({ operation: "create", prompt: "a", quality: "draft", aspectRatio: { width: 1e308, height: -0 } }),
    JSON.stringify({ operation: "upscale", mode: "fast", input: { width: 100, height: 100 }, sourceAssetId: "ast_\u0000" }),
    JSON.stringify({ name: {}, role: [], monthlyCap: "1" }),
    JSON.stringify({ monthlyCap: 1e300, disabled: "yes" }),
    JSON.stringify({ monthlyCap: null, role: null, disabled: null }),
  ];
}

async function multipartBodies(): Promise<{ type: string; body: Buffer | string }[]> {
  const png = await sharp({ create: { width: 80, height: 80, channels: 3, background: "#08f" } }).png().toBuffer();
  const raw = (boundary: string, text: string) => ({ type: `multipart/form-data; boundary=${boundary}`, body: text });
  const spec = JSON.stringify({ operation: "upscale", mode: "fast" });
  const forms: ((f: FormData) => void)[] = [
    (f) => f.set("spec", spec),
    (f) => (f.set("spec", spec), f.set("image", new Blob([randomBytes(4000)]), "noise.png")),
    (f) => (f.set("spec", spec), f.set("image", new Blob([png.subarray(0, png.length >> 1)]), "cut.png")),
    (f) => (f.set("spec", "{\u0000}"), f.set("image", new Blob([png]), "a.png")),
    (f) => (f.set("spec", spec), f.set("image", "text instead of a file")),
    (f) => (f.set("spec", spec), f.set("image", new Blob([png]), "a.png"), f.set("image\u0001", new Blob([png]), "b.png")),
    (f) => (f.append("spec", spec), f.append("spec", spec)),
    (f) => (f.set("spec", JSON.stringify({ operation: "create", prompt: "a", quality: "draft" })), f.set("mask", new Blob([png]), "m.png")),
  ];
  const encoded = await Promise.all(
    forms.map(async (build) => {
      const f = new FormData();
      build(f);
      const r = new Response(f);
      return { type: r.headers.get("content-type")!, body: Buffer.from(await r.arrayBuffer()) as Buffer | string };
    }),
  );
  return [
    raw("XYZ", "--XYZ\r\nContent-Disposition: form-data; name=\"spec\"\r\n\r\n{}"), // no end
    raw("XYZ", "garbage without any boundary"),
    { type: "multipart/form-data", body: "no boundary parameter" },
    raw("X".repeat(200), `--${"X".repeat(200)}--\r\n`),
    raw("XYZ", '--XYZ\r\nContent-Disposition: form-data; name="sp\u0000ec"\r\n\r\n{}\r\n--XYZ--\r\n'),
    raw("XYZ", `--XYZ\r\nContent-Disposition: form-data; name="spec"\r\n\r\n{"operation":"upscale","mode":"fast","prompt":"\\u0000"}\r\n--XYZ--\r\n`),
    raw("XYZ", `--XYZ\r\nContent-Disposition: form-data; name="spec"\r\n\r\n${"{".repeat(300_000)}\r\n--XYZ--\r\n`),
    ...encoded,
  ];
}

interface Answer {
  status: number;
  text: string;
}

/**
 * One request over its own socket, written whole, the answer read to the end. A client such as fetch() gives
 * up on an answer that comes before it finished sending (the proxy refuses many bodies without reading them).
 */
function request(url: string, method: string, path: string, headers: Record<string, string>, body?: Buffer | string): Promise<Answer | Error> {
  const { hostname, port } = new URL(url);
  const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
  const head = Object.entries({ host: `${hostname}:${port}`, connection: "close", ...(body === undefined ? {} : { "content-length": String(payload.length) }), ...headers })
    .map(([k, v]) => `${k}: ${v}`)
    .join("\r\n");
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    // Not half-closed after the body: Node's server drops a request whose client half-closes before its answer.
    const socket = connect(Number(port), hostname, () => {
      socket.write(`${method} ${path} HTTP/1.1\r\n${head}\r\n\r\n`, "latin1");
      socket.write(payload);
    });
    socket.setTimeout(20_000, () => socket.destroy());
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.on("error", () => undefined); // the answer may come before the proxy stops reading
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (!status) return resolve(new Error(`no answer (${text.slice(0, 80)})`));
      const at = text.indexOf("\r\n\r\n");
      let bodyText = text.slice(at + 4);
      if (/\r\ntransfer-encoding: chunked/i.test(text.slice(0, at))) bodyText = bodyText.replace(/^[0-9a-f]+\r\n/i, "").replace(/\r\n0\r\n\r\n$/, "");
      resolve({ status: Number(status[1]), text: bodyText });
    });
  });
}

/** Headers fetch can send; control characters in headers go through app.request below. */
const HEADER_SETS: Record<string, string>[] = [
  { authorization: `Bearer ${"t".repeat(10_000)}` },
  { authorization: "Basic dXNlcjpwYXNz" },
  { authorization: "Bearer a b c" },
  { authorization: "Bearer" },
  { "idempotency-key": "k".repeat(300) },
  { "idempotency-key": "cl\u00e9" },
  { "content-type": "application/json; charset=utf-16" },
  { "content-type": "multipart/form-data; boundary=" },
  { "content-type": "text/plain" },
  { "if-none-match": '"' + "e".repeat(5000) + '"' },
  { "content-type": "application/json", "content-length": "1" }, // shorter than the body: the rest is garbage
];

interface Route {
  method: string;
  path: string;
}

function routesOf(s: TestServer): Route[] {
  const seen = new Map<string, Route>();
  for (const r of s.app.routes) if (r.method !== "ALL") seen.set(`${r.method} ${r.path}`, { method: r.method, path: r.path });
  return [...seen.values()];
}

const fill = (path: string, value: string) => path.replace(/:[A-Za-z]+/g, value);

for (const kind of DB_KINDS) {
  describe(`every route under hostile input (${kind})`, () => {
    let db: TestDatabaseUrl | undefined;
    let s: TestServer;
    let team: TestTeam;
    let member: string;
    const statuses = new Map<string, number>();
    const problems: string[] = [];

    beforeAll(async () => {
      db = kind === "postgres" ? await createTestDatabaseUrl("postgres") : undefined;
      s = await startTestServer(db ? { env: { DATABASE_URL: db.url } } : {});
      team = await s.createTeam("pro");
      member = (await s.deps.stores.teams.addMember({ teamId: team.team.id, name: "M", role: "member", monthlyCap: 5 })).token;
    });
    afterAll(async () => {
      await s?.close();
      await db?.cleanup();
    });

    async function send(what: string, method: string, path: string, init: { body?: Buffer | string; headers?: Record<string, string>; token?: string | null } = {}) {
      const headers: Record<string, string> = { ...init.headers };
      const token = init.token === undefined ? team.token : init.token;
      if (token && !headers.authorization) headers.authorization = `Bearer ${token}`;
      const res = await request(s.url, method, path, headers, method === "GET" ? undefined : init.body);
      if (res instanceof Error) return void problems.push(`${what}: ${res.message}`);
      statuses.set(`${res.status}`, (statuses.get(`${res.status}`) ?? 0) + 1);
      if (res.status >= 500) return void problems.push(`${what}: ${res.status} ${res.text.slice(0, 200)}`);
      // Node's own parser answers some requests (431: a URL over 16 KB) with no body before the proxy runs.
      const parsed = (() => {
        try {
          return JSON.parse(res.text) as unknown;
        } catch {
          return undefined;
        }
      })();
      if (res.status >= 400 && res.text !== "" && !errorResponseSchema.safeParse(parsed).success)
        problems.push(`${what}: ${res.status} without docs/api.md's error body: ${res.text.slice(0, 200)}`);
    }

    it("answers every request without a 5xx, refusals in docs/api.md's error shape, and moves no credit", async () => {
      const routes = routesOf(s);
      expect(routes.length).toBeGreaterThanOrEqual(18); // the sweep sees the app's routes, not a list of its own
      const ledgerBefore = await s.deps.stores.ledger.entries(team.team.id);
      const balanceBefore = await s.deps.stores.ledger.balance(team.team.id);
      const jsons = jsonBodies();
      const multiparts = await multipartBodies();

      for (const route of routes) {
        const { method } = route;
        const valid = fill(route.path, "nope");
        for (const value of PATH_VALUES) await send(`${method} ${route.path} with :id=${value.slice(0, 20)}`, method, fill(route.path, value));
        for (const query of QUERIES) await send(`${method} ${route.path}${query.slice(0, 40)}`, method, valid + query);
        for (const headers of HEADER_SETS) await send(`${method} ${route.path} with ${JSON.stringify(headers).slice(0, 60)}`, method, valid, { headers, body: "{}" });
        await send(`${method} ${route.path} without a token`, method, valid, { token: null });
        await send(`${method} ${route.path} as a member`, method, valid + "?member=%00", { token: member });
        if (method === "GET") continue;
        for (const body of jsons)
          await send(`${method} ${route.path} JSON ${body.slice(0, 60)}`, method, valid, { body, headers: { "content-type": "application/json", "idempotency-key": `k-${Math.random()}` } });
        for (const [i, m] of multiparts.entries())
          await send(`${method} ${route.path} multipart ${i} ${m.type.slice(0, 40)}`, method, valid, { body: m.body, headers: { "content-type": m.type } });
        // Refused on its declared length, before a byte of it is read.
        await send(`${method} ${route.path} declaring a body over MAX_BODY_BYTES`, method, valid, { body: "{}", headers: { "content-type": "application/json", "content-length": String(26 * 1024 * 1024) } });
      }

      // Headers with control characters: Node's parser refuses them on the wire (400 before the app runs), so
      // they are sent in process here (the Fetch API's Headers carry all but NUL, CR and LF): the app refuses
      // them itself, naming the header, whatever server runs it.
      for (const route of routes)
        for (const [name, value] of [
          ["Authorization", `Bearer ${team.token}\u0001`],
          ["Idempotency-Key", "a\u0002b"],
          ["If-None-Match", '"a\u007f"'],
          ["Content-Type", "application/json\u001b"],
        ] as const) {
          const headers = { authorization: `Bearer ${team.token}`, [name]: value };
          const res = await s.app.request(fill(route.path, "nope"), { method: route.method, headers });
          const fields = errorResponseSchema.safeParse(await res.json()).data?.error.details?.fields as Record<string, string> | undefined;
          if (res.status !== 400 || !fields?.[name]) problems.push(`${route.method} ${route.path} with a control character in ${name}: ${res.status}, not 400 naming it`);
        }

      expect(problems).toEqual([]);
      // Nothing held, captured or granted; no drift; no job.
      expect(await s.deps.stores.ledger.entries(team.team.id)).toEqual(ledgerBefore);
      expect(await s.deps.stores.ledger.balance(team.team.id)).toEqual(balanceBefore);
      expect((await s.deps.stores.ledger.verify()).length).toBe(0);
      expect(await s.deps.stores.db.all("SELECT id FROM jobs WHERE team_id = $1", [team.team.id])).toEqual([]);
      expect(statuses.get("400")).toBeGreaterThan(100); // the sweep did reach validation, not only auth
    }, 240_000);
  });
}
